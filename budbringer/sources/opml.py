"""OPML in and out: the subscription lists feed readers exchange.

Export writes one outline per list with its sources inside, and the sources in no list
under an "Unlisted" outline. Import turns the top-level folders of any reader's OPML into
lists and the feeds inside them (at any depth) into sources. Nothing is fetched at
import time: the worker fetches new sources within a minute.

An uploaded file is hostile until proven otherwise. It is parsed with defusedxml, which
refuses entity declarations (billion laughs, quadratic blow-up) and external entities,
after a size check. listparser was measured and not used: it parses with an HTML parser
that silently ignores entity declarations instead of refusing them, accepts any HTML page
as a subscription list without complaint, drops htmlUrl and language, and merges the
``category`` attribute with the folder a feed is in.
"""

import email.utils

# Writing only; reading goes through defusedxml.
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import defusedxml
import defusedxml.ElementTree
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budbringer.accounts.models import Organisation
from budbringer.content.language import CONTENT_LANGUAGE_CODES
from budbringer.lib.names import one_line
from budbringer.sources.adding import http_url
from budbringer.sources.models import ListKind, Source, SourceKind, SourceList

MAX_BYTES = 2 * 1024 * 1024
MAX_FEEDS = 5000
# Our own attributes (list and source kind, "this folder is no list"), so an export
# imported elsewhere gives the same lists; other readers ignore them.
NS = "urn:budbringer:opml"
ET.register_namespace("budbringer", NS)
_KIND = f"{{{NS}}}kind"
_UNLISTED = f"{{{NS}}}unlisted"
_AUTO_APPROVE = f"{{{NS}}}autoapprove"

_TITLE_LENGTH = Source._meta.get_field("title").max_length
_NAME_LENGTH = SourceList._meta.get_field("name").max_length


class OpmlError(Exception):
    """Why a file cannot be imported at all, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    created_lists: list[str] = field(default_factory=list)
    created_sources: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    # (the address as written in the file, why it was not imported)
    refused: list[tuple[str, str]] = field(default_factory=list)


# Export


def export_opml(organisation: Organisation, lists: Iterable[SourceList] | None = None) -> bytes:
    """OPML 2.0 of the organisation's sources by list; only the given lists when given.

    Always well-formed: every name and address goes through `one_line`, so a character
    XML cannot carry (stored before names were checked, or in an address) is left out.
    """
    if lists is None:
        lists = SourceList.objects.filter(organisation=organisation)
        with_unlisted = True
    else:
        with_unlisted = False
    sources = Source.objects.in_organisation(organisation).prefetch_related("lists")
    by_list = defaultdict(list)
    unlisted = []
    for source in sources.order_by("title", "pk"):
        for source_list in source.lists.all():
            by_list[source_list.pk].append(source)
        if not source.lists.all():
            unlisted.append(source)

    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _("%(organisation)s: sources") % {
        "organisation": one_line(organisation.name)
    }
    ET.SubElement(head, "dateCreated").text = email.utils.format_datetime(
        timezone.now(), usegmt=True
    )
    ET.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    for source_list in lists:
        name = one_line(source_list.name)
        folder = ET.SubElement(body, "outline", text=name, title=name)
        folder.set(_KIND, source_list.kind)
        for source in by_list[source_list.pk]:
            _source_outline(folder, source)
    if with_unlisted and unlisted:
        name = _("Unlisted")
        folder = ET.SubElement(body, "outline", text=name, title=name)
        folder.set(_UNLISTED, "true")
        for source in unlisted:
            _source_outline(folder, source)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _source_outline(parent: ET.Element, source: Source) -> None:
    title = one_line(source.title)
    outline = ET.SubElement(
        parent, "outline", type="rss", text=title, title=title, xmlUrl=one_line(source.feed_url)
    )
    if source.site_url:
        outline.set("htmlUrl", one_line(source.site_url))
    if source.language:
        outline.set("language", source.language)
    outline.set(_KIND, source.kind)
    if not source.auto_approve:
        outline.set(_AUTO_APPROVE, "false")


# Import


@dataclass
class _Feed:
    url: str
    title: str
    site_url: str
    language: str
    kind: str
    auto_approve: bool
    lists: set[str] = field(default_factory=set)  # case-folded list names


@dataclass
class _Folder:
    name: str
    kind: str


def import_opml(organisation: Organisation, data: bytes) -> ImportReport:
    """Create the lists and sources of an OPML file that the organisation does not have yet.

    Feeds already there are added to the file's lists they are in; addresses that are not
    http(s) are reported, not imported. Importing the same file twice creates nothing new.
    """
    body = _parse(data)
    report = ImportReport()
    folders, feeds = _read(body, report)
    if len(feeds) > MAX_FEEDS:
        raise OpmlError(
            _("The file lists %(count)s feeds; Budbringer imports at most %(max)s at a time.")
            % {"count": len(feeds), "max": MAX_FEEDS}
        )
    with transaction.atomic():
        _store(organisation, folders, feeds, report)
    return report


def _parse(data: bytes) -> ET.Element:
    if len(data) > MAX_BYTES:
        raise OpmlError(
            _("The file is larger than %(size)s MB, which no list of feeds needs to be.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise OpmlError(_("The file is empty."))
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.EntitiesForbidden:
        raise OpmlError(
            _(
                "The file declares XML entities, which Budbringer refuses: they can make a "
                "small file grow to gigabytes. Export the list again from your feed reader."
            )
        ) from None
    except defusedxml.DefusedXmlException:
        raise OpmlError(
            _("The file refers to other files (external entities), which Budbringer refuses.")
        ) from None
    except ET.ParseError as error:
        line, column = error.position
        raise OpmlError(
            _(
                "This is not an OPML file: it is not well-formed XML "
                "(line %(line)s, column %(column)s)."
            )
            % {"line": line, "column": column}
        ) from None
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if _local(root.tag) != "opml" or body is None:
        raise OpmlError(
            _("This is not an OPML file: it has no <opml> element with a <body> of outlines.")
        )
    return body


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _outlines(element: ET.Element) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == "outline"]


def _read(body: ET.Element, report: ImportReport) -> tuple[dict[str, _Folder], dict[str, _Feed]]:
    """The lists (by case-folded name) and feeds (by address) in the file.

    Walks the outlines with a stack, not recursion: a hostile file may nest thousands deep.
    """
    folders: dict[str, _Folder] = {}
    feeds: dict[str, _Feed] = {}
    # (outline, is it at the top, the case-folded name of the top-level folder it is in)
    stack = [(outline, True, "") for outline in reversed(_outlines(body))]
    while stack:
        outline, top_level, folder = stack.pop()
        attrs = {key.lower(): one_line(value) for key, value in outline.attrib.items()}
        name = attrs.get("text") or attrs.get("title") or ""
        if "xmlurl" in attrs:
            _read_feed(attrs, name, folder, feeds, report)
            continue
        if attrs.get("type", "").lower() in ("link", "include") and attrs.get("url"):
            report.refused.append(
                (attrs["url"], _("A link to another OPML file; import that file by itself."))
            )
            continue
        if top_level and name and attrs.get(_UNLISTED) != "true":
            folder = name[:_NAME_LENGTH].casefold()
            kind = attrs.get(_KIND, "")
            known = folders.get(folder)
            if known is None:
                folders[folder] = _Folder(name[:_NAME_LENGTH], kind)
            elif kind and not known.kind:
                known.kind = kind
        stack.extend((child, False, folder) for child in reversed(_outlines(outline)))
    return folders, feeds


def _read_feed(attrs: dict, name: str, folder: str, feeds: dict, report: ImportReport) -> None:
    written = attrs["xmlurl"]
    url = http_url(written)
    if not url:
        report.refused.append((written, _refusal(written)))
        return
    feed = feeds.get(url)
    if feed is None:
        language = attrs.get("language", "").lower().replace("_", "-").split("-")[0]
        kind = attrs.get(_KIND, "")
        title = name or urlsplit(url).hostname or url
        feed = feeds[url] = _Feed(
            url=url,
            title=title[:_TITLE_LENGTH],
            site_url=http_url(attrs.get("htmlurl", "")),
            language=language if language in CONTENT_LANGUAGE_CODES else "",
            kind=kind if kind in SourceKind.values else SourceKind.ARTICLES,
            auto_approve=attrs.get(_AUTO_APPROVE, "").lower() != "false",
        )
    if folder:
        feed.lists.add(folder)


def _refusal(url: str) -> str:
    if not url:
        return _("The outline has no feed address.")
    scheme = urlsplit(url).scheme.lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        return _("Only http and https addresses are imported.")
    if len(url) > Source._meta.get_field("feed_url").max_length:
        return _("The address is too long.")
    return _("This is not a valid web address.")


def _store(
    organisation: Organisation,
    folders: dict[str, _Folder],
    feeds: dict[str, _Feed],
    report: ImportReport,
) -> None:
    # 1. Lists: the folders that hold a feed, or that an export of ours wrote (maybe empty).
    wanted = {key for feed in feeds.values() for key in feed.lists}
    wanted |= {key for key, folder in folders.items() if folder.kind}
    lists = {
        source_list.name.casefold(): source_list
        for source_list in SourceList.objects.filter(organisation=organisation).order_by("-pk")
    }
    new_lists = [
        SourceList(
            organisation=organisation,
            name=folders[key].name,
            kind=folders[key].kind if folders[key].kind in ListKind.values else ListKind.CUSTOM,
        )
        for key in sorted(wanted - set(lists))
    ]
    SourceList.objects.bulk_create(new_lists, ignore_conflicts=True)
    report.created_lists = [source_list.name for source_list in new_lists]
    if new_lists:
        lists = {
            source_list.name.casefold(): source_list.pk
            for source_list in SourceList.objects.filter(organisation=organisation).order_by("-pk")
        }
    else:
        lists = {key: source_list.pk for key, source_list in lists.items()}

    # 2. Sources: new addresses only.
    known = dict(Source.objects.in_organisation(organisation).values_list("feed_url", "title"))
    new_sources = [
        Source(
            organisation=organisation,
            feed_url=feed.url,
            title=feed.title,
            site_url=feed.site_url,
            language=feed.language,
            kind=feed.kind,
            auto_approve=feed.auto_approve,
        )
        for feed in feeds.values()
        if feed.url not in known
    ]
    Source.objects.bulk_create(new_sources, batch_size=500, ignore_conflicts=True)
    report.created_sources = [source.title for source in new_sources]
    report.already_there = [known[url] for url in feeds if url in known]

    # 3. Memberships, for new sources and those already there alike.
    # All of the organisation's, rather than feed_url__in: that could pass 5,000 parameters.
    source_ids = dict(Source.objects.in_organisation(organisation).values_list("feed_url", "pk"))
    Membership = Source.lists.through
    Membership.objects.bulk_create(
        [
            Membership(source_id=source_ids[url], sourcelist_id=lists[key])
            for url, feed in feeds.items()
            if url in source_ids
            for key in sorted(feed.lists)
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
