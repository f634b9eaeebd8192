"""Telling a lead's owner that the lead just clicked: by e-mail and in chat, at most once
an hour per lead.

1. ``enqueue_alerts`` hears ``links.events.clicks_counted`` (the counting pass, after it
   settled what pending clicks were). It keeps only unique clicks on lead links, so a mail
   scanner's pre-click, a bot or a repeat never alerts, and enqueues one ``send_alert``
   task per lead: the counting pass is not held up by SMTP or webhooks.
2. ``send_alert`` first claims the alert with a conditional UPDATE of
   ``Lead.last_alert_at`` (only if it is empty or an hour old): of two workers settling
   clicks of one lead at once, one wins and the other sends nothing.
3. Then it writes the alert (what was clicked, when, when the lead is usually reachable:
   ``reachability.py``) and sends it to the owner's e-mail and chat webhook, the same
   ways digests go out (``digests.mail.MailSender``, ``fetcher.post_json`` behind the
   address guard), and records it (``LeadAlert``: the click and each channel's outcome).
   A claimed alert is not retried: a late "hot lead" is worth little, and the next click
   after the hour alerts again.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from budbringer.digests import chat
from budbringer.digests.mail import MailSender
from budbringer.digests.outcomes import Result
from budbringer.leads.models import Lead, LeadAlert, LeadLink
from budbringer.leads.reachability import LeadReachability, reachability_of
from budbringer.lib.guarded_http import FetchError, post_json
from budbringer.lib.names import one_line
from budbringer.links.models import Click, ClickKind
from budbringer.links.tracking import short_url

ALERT_INTERVAL = dt.timedelta(hours=1)


def enqueue_alerts(sender=None, clicks=(), **kwargs) -> int:
    """Receiver of ``clicks_counted``: one alert task per lead with a unique click (quick:
    one query and the enqueueing)."""
    from budbringer.leads.tasks import send_lead_alert  # tasks.py imports this module

    unique = {click.link_id: click for click in clicks if click.kind == ClickKind.UNIQUE}
    if not unique:
        return 0
    latest_per_lead: dict[int, Click] = {}
    for link_id, lead_id in LeadLink.objects.filter(link_id__in=unique).values_list(
        "link_id", "lead_id"
    ):
        click = unique[link_id]
        known = latest_per_lead.get(lead_id)
        if known is None or click.clicked_at > known.clicked_at:
            latest_per_lead[lead_id] = click
    for lead_id, click in latest_per_lead.items():
        send_lead_alert.enqueue(lead_id, click.pk)
    return len(latest_per_lead)


def claim_alert(lead_id: int, now: dt.datetime) -> bool:
    """True for the one caller that may alert about this lead now (none within the hour)."""
    due = Q(last_alert_at__isnull=True) | Q(last_alert_at__lte=now - ALERT_INTERVAL)
    return Lead.objects.filter(due, pk=lead_id).update(last_alert_at=now) == 1


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str  # the e-mail body and the chat fallback
    lead_name: str
    company: str
    clicked: str  # the item's title or the target address
    target_url: str
    clicked_at_local: dt.datetime
    reachable: LeadReachability
    lead_url: str


def compose_alert(lead: Lead, click: Click) -> Alert:
    """The alert in the owner's time zone (and language: the caller sets it)."""
    owner = lead.owner
    link = click.link
    reachable = reachability_of(lead, owner.time_zone)
    context = {
        "lead": lead,
        "clicked": link.item.title if link.item else link.target_url,
        "target_url": link.target_url,
        "short_url": short_url(link),
        "clicked_at": click.clicked_at.astimezone(zoneinfo.ZoneInfo(owner.time_zone)),
        "reachable": reachable,
        "lead_url": settings.BASE_URL + reverse("lead_detail", args=[lead.pk]),
    }
    # Formatted here: the template's date filter would show it in the server's zone.
    context["clicked_at_text"] = context["clicked_at"].strftime("%Y-%m-%d %H:%M")
    subject = render_to_string("leads/email/alert_subject.txt", context)
    text = render_to_string("leads/email/alert.txt", context)
    return Alert(
        subject=" ".join(one_line(subject).split()),  # a header: one line
        text=text,
        lead_name=lead.name,
        company=lead.company,
        clicked=context["clicked"],
        target_url=link.target_url,
        clicked_at_local=context["clicked_at"],
        reachable=reachable,
        lead_url=context["lead_url"],
    )


def send_alert(lead_id: int, click_id: int, now: dt.datetime | None = None) -> dict:
    """Alert the owner of the lead about this click, unless alerted within the hour."""
    now = now or timezone.now()
    lead = Lead.objects.select_related("owner", "owner__user").filter(pk=lead_id).first()
    click = Click.objects.select_related("link", "link__item").filter(pk=click_id).first()
    if lead is None or click is None:
        return {"skipped": "gone"}
    if lead.owner is None:
        return {"skipped": "no owner"}
    if not lead.owner.user.is_active:
        return {"skipped": "owner deactivated"}  # offboarding: nothing reaches them
    if not claim_alert(lead.pk, now):
        return {"skipped": "alerted within the hour"}
    owner = lead.owner
    report = {}
    with translation.override(owner.interface_language):
        alert = compose_alert(lead, click)
        if owner.user.email and owner.email_failed_at is None:
            report["email"] = send_email(owner.user.email, alert).outcome.value
        if owner.chat_webhook_url and owner.chat_failed_at is None:
            report["chat"] = post_chat(owner.chat_webhook_url, alert).outcome.value
    LeadAlert.objects.create(
        lead=lead,
        click=click,
        alerted_at=now,
        email_outcome=report.get("email", ""),
        chat_outcome=report.get("chat", ""),
    )
    return report


def send_email(address: str, alert: Alert) -> Result:
    message = EmailMessage(alert.subject, alert.text, settings.DEFAULT_FROM_EMAIL, [address])
    with MailSender() as sender:
        return sender.send(message)


def post_chat(url: str, alert: Alert) -> Result:
    try:
        answer = post_json(url, chat_payload(url, alert), timeout=chat.POST_TIMEOUT)
    except FetchError as error:
        return chat.classify_error(error)
    return chat.classify_answer(answer)


def chat_payload(url: str, alert: Alert) -> dict:
    """Slack (and compatible) or Teams; every text from outside is escaped."""
    headline = _("%(lead)s just clicked") % {"lead": alert.lead_name}
    if alert.company:
        headline += f" ({alert.company})"
    when = alert.clicked_at_local.strftime("%Y-%m-%d %H:%M")
    usually = _("Usually reachable: %(window)s") % {"window": alert.reachable.window}
    if chat.webhook_kind(url) == "teams":
        lines = [
            f"**{chat.teams_escape(headline)}**",
            chat.teams_link(alert.target_url, alert.clicked) + f" · {when}",
            chat.teams_escape(usually),
            chat.teams_link(alert.lead_url, _("Open the lead")),
        ]
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [{"type": "TextBlock", "text": line, "wrap": True} for line in lines],
        }
        return {
            "type": "message",
            "summary": headline[:200],
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ],
        }
    lines = [
        f"*{chat.slack_escape(headline)}*",
        chat.slack_link(alert.target_url, alert.clicked) + f" · {when}",
        chat.slack_escape(usually),
        chat.slack_link(alert.lead_url, _("Open the lead")),
    ]
    return {"text": "\n".join(lines)}
