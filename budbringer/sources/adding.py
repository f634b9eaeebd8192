"""Adding a source: find the feed behind an address, then store it. The one home for both.

``discover_feed`` takes what an editor typed (a feed's address or a site's) and returns the
feed, fetched and prepared, so the editor can see what they would get before saving.
Every way it can fail becomes a `SourceError` whose message says, in plain words, what
went wrong and what to try. The page and every feed it advertises share one deadline,
BUDBRINGER_FETCH_TIMEOUT from the start: an editor's request (and the web thread that
serves it) waits that long at most, however many slow feeds a page advertises.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budbringer.accounts.models import Organisation
from budbringer.content.language import CONTENT_LANGUAGE_CODES
from budbringer.lib.guarded_http import FetchError, FetchResult, fetch
from budbringer.lib.names import one_line
from budbringer.sources.discovery import find_feed_links, looks_like_feed
from budbringer.sources.models import Source, SourceKind, SourceList
from budbringer.sources.parsing import FeedError
from budbringer.sources.pipeline import PreparedFeed, prepare_feed

# A page may advertise a feed per category or language; the first few are enough to try.
MAX_ADVERTISED_FEEDS = 5
# A fetch that timed out this close to the shared deadline ran out of the request's time.
_AT_THE_DEADLINE = 0.1
_URL_LENGTH = Source._meta.get_field("feed_url").max_length
_TITLE_LENGTH = Source._meta.get_field("title").max_length
_is_valid_url = URLValidator(schemes=["http", "https"])


class SourceError(Exception):
    """Why a feed cannot be added, in words an editor understands."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Discovered:
    feed_url: str
    fetch_result: FetchResult
    prepared: PreparedFeed


def http_url(url: str) -> str:
    """The address, stripped, when it is an absolute http(s) URL we can store; else ''."""
    url = url.strip()
    if len(url) > _URL_LENGTH or one_line(url) != url:  # no control characters
        return ""
    try:
        _is_valid_url(url)
    except ValidationError:
        return ""
    return url


def discover_feed(url: str) -> Discovered:
    """The feed at `url`, or the first readable feed that the page at `url` advertises."""
    if not http_url(url):
        raise SourceError(_("Enter an address that starts with http:// or https://."))
    url = url.strip()
    deadline = time.monotonic() + settings.FETCH_TIMEOUT
    page = _fetch(url, deadline)
    if looks_like_feed(page.body, page.content_type):
        return Discovered(url, page, _prepare(url, page))
    advertised = [link for link in find_feed_links(page.body, page.url) if http_url(link)]
    if not advertised:
        raise SourceError(
            _(
                "%(url)s is not a feed, and the page does not advertise one. Look on the site "
                "for an RSS or Atom link and paste that address here."
            )
            % {"url": url}
        )
    first_error = None
    for link in advertised[:MAX_ADVERTISED_FEEDS]:
        try:
            result = _fetch(link, deadline)
            return Discovered(link, result, _prepare(link, result))
        except SourceError as error:
            if deadline - time.monotonic() <= 0:
                raise  # the others would not be tried either
            first_error = first_error or error
    raise SourceError(
        _("The page advertises a feed at %(feed)s, but it cannot be used. %(reason)s")
        % {"feed": advertised[0], "reason": first_error.message}
    )


def _fetch(url: str, deadline: float) -> FetchResult:
    """``url`` fetched within what is left of the request's deadline."""
    if deadline - time.monotonic() <= 0:
        raise _out_of_time(url)
    try:
        return fetch(url, deadline=deadline)
    except FetchError as error:
        if error.reason == "timeout" and deadline - time.monotonic() < _AT_THE_DEADLINE:
            raise _out_of_time(url) from error
        raise SourceError(
            _("Budbringer could not fetch %(url)s: %(reason)s")
            % {"url": url, "reason": error.message}
        ) from error


def _out_of_time(url: str) -> SourceError:
    seconds = settings.FETCH_TIMEOUT
    message = ngettext(
        "Budbringer gave up after %(seconds)s second (BUDBRINGER_FETCH_TIMEOUT): %(url)s "
        "answers too slowly. Try again later, or paste the feed's own address.",
        "Budbringer gave up after %(seconds)s seconds (BUDBRINGER_FETCH_TIMEOUT): %(url)s "
        "answers too slowly. Try again later, or paste the feed's own address.",
        seconds,
    )
    return SourceError(message % {"seconds": seconds, "url": url})


def _prepare(url: str, result: FetchResult) -> PreparedFeed:
    try:
        return prepare_feed(result.body, url=result.url or url, content_type=result.content_type)
    except FeedError as error:
        reason = getattr(error, "message", "") or str(error)
        raise SourceError(
            _("%(url)s looks like a feed, but it cannot be read: %(reason)s")
            % {"url": url, "reason": reason}
        ) from error


def existing_source(organisation: Organisation, feed_url: str) -> Source | None:
    return Source.objects.filter(organisation=organisation, feed_url=feed_url.strip()).first()


def duplicate_message(source: Source) -> str:
    return _("This feed is already a source: “%(title)s”.") % {"title": source.title}


def feed_language(prepared: PreparedFeed | None) -> str:
    """The feed's declared language as one of our codes ("en-GB" -> "en"), or ''."""
    declared = (prepared.feed.language if prepared else "") or ""
    code = declared.strip().lower().replace("_", "-").split("-")[0]
    return code if code in CONTENT_LANGUAGE_CODES else ""


def feed_kind(prepared: PreparedFeed | None) -> str:
    kind = (prepared.feed.kind if prepared else "") or ""
    return kind if kind in SourceKind.values else SourceKind.ARTICLES


def add_source(
    organisation: Organisation,
    feed_url: str,
    title: str,
    lists: Iterable[SourceList] = (),
    kind: str = SourceKind.ARTICLES,
    language: str = "",
    auto_approve: bool = True,
    prepared: PreparedFeed | None = None,
) -> Source:
    """Store a new source, refusing a feed the organisation already has.

    The worker fetches it within a minute (its next fetch is due at once).
    """
    feed_url = http_url(feed_url)
    if not feed_url:
        raise SourceError(_("Enter an address that starts with http:// or https://."))
    if existing := existing_source(organisation, feed_url):
        raise SourceError(duplicate_message(existing))
    lists = list(lists)
    if any(source_list.organisation_id != organisation.pk for source_list in lists):
        raise ValueError("a list of another organisation")
    feed = prepared.feed if prepared else None
    title = one_line(title or "") or one_line((feed.title if feed else "") or "")
    title = title or urlsplit(feed_url).hostname
    try:
        with transaction.atomic():
            source = Source.objects.create(
                organisation=organisation,
                feed_url=feed_url,
                site_url=http_url(feed.site_url or "") if feed else "",
                title=title[:_TITLE_LENGTH],
                kind=kind,
                language=language,
                auto_approve=auto_approve,
            )
            source.lists.set(lists)
    except IntegrityError:
        existing = existing_source(organisation, feed_url)  # added by someone a moment ago
        if existing is None:
            raise
        raise SourceError(duplicate_message(existing)) from None
    return source
