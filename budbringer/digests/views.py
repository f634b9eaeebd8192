"""The links in a digest (read, share, preferences, unsubscribe) and the admins' view.

Links from a digest act without a sign-in: each carries a signed token (``tokens``) naming
exactly what it may do. Read and share links redirect only to the item's stored URL and
the network's own share dialog, never to anything taken from the request. The pages behind
them speak the person's language and show times in their zone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from budbringer.accounts.access import admin_required
from budbringer.accounts.forms import DigestPreferencesForm
from budbringer.accounts.middleware import activate_person
from budbringer.accounts.models import DigestCadence, Person
from budbringer.digests import overview, tokens
from budbringer.digests.clicks import record_digest_click
from budbringer.digests.models import (
    DeliveryStatus,
    Digest,
    DigestClick,
    DigestEntry,
    DigestKind,
)
from budbringer.digests.planning import preferences_changed
from budbringer.digests.previews import send_preview
from budbringer.lib.http import client_ip
from budbringer.links.bots import is_bot_request
from budbringer.relevance.events import record_interaction
from budbringer.sharing.networks import NETWORKS
from budbringer.sharing.sharing import record_share
from budbringer.sharing.views import ShareRedirect
from budbringer.timing.lift import hit_rates


def links_end(digest: Digest) -> dt.datetime:
    """When the digest's read, share and preferences links stop working."""
    return (digest.composed_at or digest.created_at) + dt.timedelta(days=tokens.LINK_DAYS)


def _entry(link: tokens.EntryLink) -> DigestEntry:
    entry = (
        DigestEntry.objects.filter(digest_id=link.digest_id, item_id=link.item_id)
        .select_related("item", "digest__person__user")
        .first()
    )
    if entry is None or not entry.digest.person.user.is_active:
        raise Http404("this digest link is no longer valid")
    if timezone.now() > links_end(entry.digest):
        raise tokens.BadToken("the digest is too old")
    return entry


def _expired(request: HttpRequest, *, settings_link: bool = False) -> HttpResponse:
    """The page of a link that no longer works, offering sign-in (404: nothing is here)."""
    context = {"settings_link": settings_link, "link_days": tokens.LINK_DAYS}
    return render(request, "digests/link_expired.html", context, status=404)


@require_safe
def read(request: HttpRequest, token: str) -> HttpResponse:
    """The item, after noting that the person opened it from their digest."""
    try:
        entry = _entry(tokens.read_link(token))
    except tokens.BadToken:
        return _expired(request)
    record_digest_click(
        entry,
        DigestClick.READ,
        method=request.method,
        user_agent=request.headers.get("User-Agent", ""),
        ip=client_ip(request),
    )
    return HttpResponseRedirect(entry.item.url)


@require_safe
def share(request: HttpRequest, token: str) -> HttpResponse:
    """The network's share dialog with the person's tracked link and suggested words."""
    try:
        link = tokens.share_link(token)
        entry = _entry(link)
    except tokens.BadToken:
        return _expired(request)
    if link.network not in NETWORKS:
        raise Http404("unknown network")
    user_agent = request.headers.get("User-Agent", "")
    # Kept with the reads, so a scanner following every link of the digest is one burst.
    record_digest_click(
        entry,
        DigestClick.SHARE,
        method=request.method,
        user_agent=user_agent,
        ip=client_ip(request),
        network=link.network,
    )
    if is_bot_request(request.method, user_agent):
        # Link previews and HEAD probes must not count as a share.
        return HttpResponse(status=204)
    return ShareRedirect(record_share(entry.digest.person, entry.item, link.network))


@csrf_exempt  # the signed token is the proof; a mail program has no cookies
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """ "More like this" or "not for me" from a digest: GET asks, POST records it.

    Two steps on purpose: mail security scanners open every link of a message, and one
    GET must not tell the ranker that the person dislikes everything they were sent.
    """
    try:
        link = tokens.feedback_link(token)
        entry = _entry(link)
    except tokens.BadToken:
        return _expired(request)
    person = entry.digest.person
    activate_person(person)
    done = False
    if request.method == "POST":
        record_interaction(person, entry.item, link.network)
        done = True
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    context = {"item": entry.item, "kind": link.network, "done": done}
    return render(request, "digests/feedback.html", context)


def _person(person_id: int) -> Person:
    person = (
        Person.objects.filter(pk=person_id, user__is_active=True)
        .select_related("organisation", "user")
        .first()
    )
    if person is None:
        raise Http404("no such person")
    return person


def _digest_for_preferences(token: str) -> Digest:
    """The digest whose preferences link this is, while its links work, of an active person."""
    digest = (
        Digest.objects.filter(pk=tokens.digest_for_preferences(token), person__user__is_active=True)
        .select_related("person__organisation", "person__user")
        .first()
    )
    if digest is None or timezone.now() > links_end(digest):
        raise tokens.BadToken("no such digest, or its links have expired")
    return digest


def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """Change what digests bring and when, from a link in a digest; where they go needs a
    sign-in (``DigestPreferencesForm``), as the link may have been forwarded."""
    try:
        digest = _digest_for_preferences(token)
    except tokens.BadToken:
        return _expired(request, settings_link=True)
    person = digest.person
    activate_person(person)
    form = DigestPreferencesForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        activate_person(person)
        messages.success(request, _("Your digest settings are saved."))
        return redirect("digest_preferences", token=token)
    context = {"form": form, "person": person, "valid_until": links_end(digest)}
    return render(request, "digests/preferences.html", context)


def _preferences_url(link: tokens.UnsubscribeLink) -> str:
    """The signed preferences page of the unsubscribe link's digest while that works, else
    the settings page (behind a sign-in): an unsubscribe link never expires, so it must not
    open the preferences page for longer than its digest's preferences link would."""
    if link.digest_id is not None:
        digest = Digest.objects.filter(pk=link.digest_id, person_id=link.person_id).first()
        if digest is not None and timezone.now() <= links_end(digest):
            return reverse("digest_preferences", args=[tokens.preferences_token(digest.pk)])
    return reverse("person_settings")


@csrf_exempt  # RFC 8058: mail programs POST here without cookies; the token is the proof
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST (also a mail program's one-click) unsubscribes from digests."""
    try:
        link = tokens.unsubscribe_link(token)
        person = _person(link.person_id)
    except tokens.BadToken:
        return _expired(request)
    activate_person(person)
    done = False
    if request.method == "POST":
        Person.objects.filter(pk=person.pk).update(digest_cadence=DigestCadence.NEVER)
        preferences_changed(person)
        done = True
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    context = {"person": person, "done": done, "preferences_url": _preferences_url(link)}
    return render(request, "digests/unsubscribe.html", context)


ADMIN_DAYS = 7
LIFT_DAYS = 90


@admin_required
def admin_overview(request: HttpRequest) -> HttpResponse:
    """What is planned, for whom and when; what went out; what failed and why."""
    organisation = request.person.organisation
    now = timezone.now()
    since = now - dt.timedelta(days=ADMIN_DAYS)
    deliveries = overview.recent_deliveries(organisation, since)
    state = request.GET.get("state", "")
    if state in DeliveryStatus.values:
        deliveries = deliveries.filter(status=state)
    upcoming_page, upcoming = overview.upcoming_page(organisation, request.GET.get("planned"))
    sent_slots = list(
        Digest.objects.filter(
            organisation=organisation,
            kind=DigestKind.SCHEDULED,
            slot_at__gte=now - dt.timedelta(days=LIFT_DAYS),
            deliveries__status=DeliveryStatus.SENT,
        )
        .distinct()
        .values_list("person_id", "slot_at", "policy")
    )
    context = {
        "planned": overview.planned_counts(organisation, now),
        "upcoming_page": upcoming_page,
        "upcoming": upcoming,
        "page": Paginator(deliveries, overview.PER_PAGE).get_page(request.GET.get("page")),
        "counts": overview.delivery_counts(organisation, since),
        "state": state,
        "state_label": DeliveryStatus(state).label if state in DeliveryStatus.values else "",
        "failing": overview.unreachable(organisation),
        "days": ADMIN_DAYS,
        "lift": hit_rates(organisation, sent_slots),
        "lift_days": LIFT_DAYS,
    }
    return render(request, "digests/admin.html", context)


@require_POST
@admin_required
def admin_preview(request: HttpRequest) -> HttpResponse:
    """Compose a digest for the admin now and send it to them at once."""
    outcome = send_preview(request.person)
    if outcome is None:
        messages.info(request, _("Nothing is relevant enough for you right now, so no preview."))
    elif outcome.sent:
        messages.success(request, _("A preview is on its way to you."))
    else:
        messages.error(
            request, _("The preview could not be sent: %(error)s") % {"error": outcome.error}
        )
    return redirect("digest_admin")
