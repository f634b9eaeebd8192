from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from budbringer.accounts.access import editor_required, person_required
from budbringer.content.lookups import get_topic_for
from budbringer.content.models import Topic
from budbringer.lib.csp import FEED_HTML, csp_allow
from budbringer.lib.ids import parse_id
from budbringer.lib.saving import save_or_form_error
from budbringer.sources import following
from budbringer.sources.adding import (
    Discovered,
    SourceError,
    add_source,
    discover_feed,
    existing_source,
    feed_kind,
    feed_language,
    http_url,
)
from budbringer.sources.editing import (
    change_list,
    change_source,
    create_list,
    delete_list,
    delete_source,
)
from budbringer.sources.forms import (
    FindFeedForm,
    ListForm,
    NewSourceForm,
    OpmlImportForm,
    SourceChangeForm,
)
from budbringer.sources.lookups import get_list_for, get_source_for_editor
from budbringer.sources.models import Source, SourceList
from budbringer.sources.opml import OpmlError, export_opml, import_opml
from budbringer.sources.refresh import refresh_sources

PAGE_SIZE = 100
PREVIEW_ITEMS = 10


@editor_required
def editor_sources(request):
    sources = (
        Source.objects.in_organisation(request.person.organisation)
        .prefetch_related("lists")
        .order_by("-failure_count", "title", "pk")  # failing sources first: they need an editor
    )
    page = Paginator(sources, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sources/editor_sources.html", {"page": page, "now": timezone.now()})


@editor_required
@csp_allow(FEED_HTML)  # the preview shows a feed's (sanitised) HTML
def editor_source_new(request):
    """Step 1: the address. Preview: what the feed holds, and the form. Save: add it."""
    organisation = request.person.organisation
    find = FindFeedForm(request.POST or None)
    form = discovered = None
    if request.method == "POST" and find.is_valid():
        if "save" in request.POST:
            form = NewSourceForm(request.POST, organisation=organisation)
            # The feed found in the preview, fetched again: what is saved is a working feed.
            discovered = _discover(find, http_url(form.data.get("feed_url", "")))
            if discovered is not None and form.is_valid():
                source = _add(form, discovered, organisation)
                if source is not None:
                    messages.success(
                        request,
                        _("“%(title)s” is added; its items arrive within a few minutes.")
                        % {"title": source.title},
                    )
                    return redirect("editor_source", source_id=source.pk)
        else:
            discovered = _discover(find, find.cleaned_data["url"])
            if discovered is not None:
                form = _prefilled_form(discovered, organisation)
    context = {"find": find, "form": form, "discovered": discovered}
    if discovered is not None:
        context["items"] = discovered.prepared.items[:PREVIEW_ITEMS]
        context["duplicate"] = existing_source(organisation, discovered.feed_url)
    return render(request, "sources/editor_source_new.html", context)


def _discover(find: FindFeedForm, url: str) -> Discovered | None:
    try:
        return discover_feed(url)
    except SourceError as error:
        find.add_error("url", error.message)
        return None


def _prefilled_form(discovered: Discovered, organisation) -> NewSourceForm:
    prepared = discovered.prepared
    return NewSourceForm(
        initial={
            "feed_url": discovered.feed_url,
            "title": prepared.feed.title,
            "kind": feed_kind(prepared),
            "language": feed_language(prepared),
            "auto_approve": True,
        },
        organisation=organisation,
    )


def _add(form: NewSourceForm, discovered: Discovered, organisation) -> Source | None:
    data = form.cleaned_data
    try:
        return add_source(
            organisation,
            discovered.feed_url,
            data["title"],
            lists=data["lists"],
            kind=data["kind"],
            language=data["language"],
            auto_approve=data["auto_approve"],
            prepared=discovered.prepared,
        )
    except SourceError as error:
        form.add_error(None, error.message)
        return None


@editor_required
def editor_source(request, source_id: int):
    source = get_source_for_editor(request.person, source_id)
    form = SourceChangeForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        change_source(source, **form.cleaned_data)
        messages.success(request, _("“%(title)s” is saved.") % {"title": source.title})
        return redirect("editor_sources")
    return render(
        request,
        "sources/editor_source.html",
        {"source": source, "form": form, "now": timezone.now()},
    )


@require_POST
@editor_required
def editor_source_fetch(request, source_id: int):
    source = get_source_for_editor(request.person, source_id)
    summary = refresh_sources([source.pk])
    if error := summary.errors.get(source.pk):
        messages.error(request, error)
    else:
        count = summary.new_items
        message = ngettext(
            "“%(title)s” is fetched: %(count)s new item.",
            "“%(title)s” is fetched: %(count)s new items.",
            count,
        )
        messages.success(request, message % {"title": source.title, "count": count})
    return redirect("editor_source", source_id=source.pk)


@editor_required
def editor_source_delete(request, source_id: int):
    source = get_source_for_editor(request.person, source_id)
    if request.method == "POST":
        delete_source(source)
        messages.success(request, _("“%(title)s” is deleted.") % {"title": source.title})
        return redirect("editor_sources")
    items = source.items.count()
    return render(request, "sources/editor_source_delete.html", {"source": source, "items": items})


@editor_required
def editor_lists(request):
    organisation = request.person.organisation
    form = ListForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        source_list = save_or_form_error(
            form, lambda: create_list(organisation, **form.cleaned_data)
        )
        if source_list is not None:
            messages.success(
                request, _("The list “%(name)s” is made.") % {"name": source_list.name}
            )
            return redirect("editor_lists")
    lists = SourceList.objects.filter(organisation=organisation).annotate(
        source_count=Count("sources", distinct=True),
        follower_count=Count("followers", distinct=True),
    )
    return render(request, "sources/editor_lists.html", {"lists": lists, "form": form})


@editor_required
def editor_list(request, list_id: int):
    source_list = get_list_for(request.person, list_id)
    form = ListForm(
        request.POST or None, organisation=request.person.organisation, source_list=source_list
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_form_error(form, lambda: change_list(source_list, **form.cleaned_data))
    ):
        messages.success(request, _("The list “%(name)s” is saved.") % {"name": source_list.name})
        return redirect("editor_lists")
    sources = source_list.sources.order_by("title")
    return render(
        request,
        "sources/editor_list.html",
        {"source_list": source_list, "form": form, "sources": sources},
    )


@editor_required
def editor_list_delete(request, list_id: int):
    source_list = get_list_for(request.person, list_id)
    if request.method == "POST":
        delete_list(source_list)
        messages.success(request, _("The list “%(name)s” is deleted.") % {"name": source_list.name})
        return redirect("editor_lists")
    context = {
        "source_list": source_list,
        "source_count": source_list.sources.count(),
        "follower_count": source_list.followers.count(),
    }
    return render(request, "sources/editor_list_delete.html", context)


@editor_required
def editor_sources_opml(request):
    form = OpmlImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_opml(request.person.organisation, form.cleaned_data["file"])
        except OpmlError as error:
            form.add_error("file", error.message)
    return render(request, "sources/editor_opml.html", {"form": form, "report": report})


@editor_required
def editor_sources_opml_export(request):
    organisation = request.person.organisation
    lists = None
    if wanted := request.GET.getlist("list"):
        ids = [number for value in wanted if (number := parse_id(value, SourceList)) is not None]
        lists = SourceList.objects.filter(organisation=organisation, pk__in=ids)
    response = HttpResponse(
        export_opml(organisation, lists), content_type="text/x-opml; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="budbringer-sources.opml"'
    return response


@person_required()
def follow(request):
    person = request.person
    followed_lists = set(person.followed_lists.values_list("pk", flat=True))
    followed_topics = set(person.topics.values_list("pk", flat=True))
    titles = Source.objects.only("pk", "title").order_by("title")
    lists = list(
        SourceList.objects.filter(organisation=person.organisation).prefetch_related(
            Prefetch("sources", queryset=titles)
        )
    )
    topics = list(Topic.objects.filter(organisation=person.organisation))
    for thing in lists:
        thing.followed = thing.pk in followed_lists
    for thing in topics:
        thing.followed = thing.pk in followed_topics
    return render(request, "sources/follow.html", {"lists": lists, "topics": topics})


@require_POST
@person_required()
def follow_list(request, list_id: int):
    source_list = get_list_for(request.person, list_id)
    change = following.unfollow_list if _unfollowing(request) else following.follow_list
    return _followed(request, change, source_list, f"list-{source_list.pk}")


@require_POST
@person_required()
def follow_topic(request, topic_id: int):
    topic = get_topic_for(request.person, topic_id)
    change = following.unfollow_topic if _unfollowing(request) else following.follow_topic
    return _followed(request, change, topic, f"topic-{topic.pk}")


def _unfollowing(request) -> bool:
    return request.POST.get("follow") == "no"


def _followed(request, change, thing, anchor: str):
    change(request.person, thing)
    if _unfollowing(request):
        messages.success(request, _("You no longer follow “%(name)s”.") % {"name": thing})
    else:
        messages.success(request, _("You follow “%(name)s”.") % {"name": thing})
    return redirect(reverse("follow") + f"#{anchor}")
