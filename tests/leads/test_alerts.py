"""Lead alerts: only a unique click on a lead link alerts, once an hour, by e-mail and chat,
with what was clicked and when the lead is usually reachable."""

import datetime as dt
import time

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from budbringer.leads.alerts import chat_payload, compose_alert, enqueue_alerts
from budbringer.leads.models import Lead, LeadAlert
from budbringer.leads.reachability import MIN_LEAD_CLICKS, reachability_of
from budbringer.links.events import clicks_counted
from budbringer.links.models import Click, ClickKind
from budbringer.links.tracking import create_link
from budbringer.timing.heatmap import best_window
from budbringer.timing.service import population_prior
from tests.leads.conftest import click_on
from tests.smtp import use_smtp

UTC = dt.UTC


def queued_alerts() -> list[list]:
    return [
        row.args_kwargs["args"]
        for row in DBTaskResult.objects.filter(task_path__endswith="send_lead_alert")
    ]


@pytest.mark.parametrize(
    "kind", [ClickKind.SCANNER, ClickKind.BOT, ClickKind.PREVIEW, ClickKind.REPEAT]
)
def test_machines_and_repeats_never_alert(lead_link, kind):
    clicks_counted.send(Click, clicks=[click_on(lead_link, kind)])
    assert queued_alerts() == []


def test_a_unique_click_on_a_lead_link_queues_one_alert(lead, lead_link):
    click = click_on(lead_link)
    clicks_counted.send(Click, clicks=[click])
    assert queued_alerts() == [[lead.pk, click.pk]]


def test_clicks_on_links_of_no_lead_alert_nobody(cast):
    plain = create_link(cast.nordlys, "https://nordlys.example.com/pricing", person=cast.bob)
    assert enqueue_alerts(clicks=[click_on(plain)]) == 0
    assert queued_alerts() == []


def test_many_clicks_of_one_lead_in_one_pass_queue_one_alert(lead, lead_link):
    clicks = [click_on(lead_link, ip=f"198.51.100.{n}") for n in range(5)]
    assert enqueue_alerts(clicks=clicks) == 1
    assert queued_alerts() == [[lead.pk, max(clicks, key=lambda c: c.clicked_at).pk]]


def test_alert_says_what_was_clicked_and_uses_the_organisation_default(cast, lead, lead_link):
    click = click_on(lead_link, now=dt.datetime(2026, 3, 3, 13, 5, tzinfo=UTC))
    alert = compose_alert(lead, click)
    assert alert.subject == "Ingrid Berg (Fjordkraft) just clicked your link"
    assert cast.article.title in alert.text
    assert lead_link.target_url in alert.text
    assert "2026-03-03 14:05 (Europe/Stockholm)" in alert.text  # Sara's time zone
    assert alert.reachable.clicks == 0
    assert alert.reachable.window == best_window(population_prior())
    assert f"/leads/{lead.pk}/" in alert.text


def test_reachable_hours_come_from_the_leads_own_clicks_once_there_are_enough(lead, lead_link):
    # Thursdays at 16:xx Stockholm time (15:xx UTC in March).
    for week in range(MIN_LEAD_CLICKS + 2):
        at = dt.datetime(2026, 3, 5, 15, 10, tzinfo=UTC) + dt.timedelta(weeks=week)
        click_on(lead_link, now=at, ip=f"198.51.100.{week}")
    reachable = reachability_of(lead, "Europe/Stockholm")
    assert reachable.clicks == MIN_LEAD_CLICKS + 2
    # A three-hour window holding 16:00 (and 17:00, the last click being after the change
    # to summer time).
    assert reachable.window == "Thursday 15:00-18:00"
    assert reachable.window != best_window(population_prior())


def test_too_few_clicks_keep_the_organisation_default(lead, lead_link):
    for n in range(MIN_LEAD_CLICKS - 1):
        click_on(lead_link, now=dt.datetime(2026, 3, 5, 3, 10, tzinfo=UTC), ip=f"192.0.2.{n}")
    assert reachability_of(lead, "Europe/Stockholm").clicks == 0


def test_chat_text_from_outside_cannot_mention_or_link(lead, lead_link):
    lead.name = "<!channel> *Eve*"
    lead.company = "<https://evil.example|bank>"
    alert = compose_alert(lead, click_on(lead_link))
    text = chat_payload("https://hooks.slack.com/services/T/B/X", alert)["text"]
    assert "<!channel>" not in text
    assert "<https://evil.example" not in text
    teams = chat_payload("https://x.webhook.office.com/hook", alert)
    body = teams["attachments"][0]["content"]["body"]
    assert "[" not in body[0]["text"].replace("\\[", "")


# The worker closes the database connection between tasks, as it should: these tests
# commit for real so that works on PostgreSQL too.
@pytest.mark.django_db(transaction=True)
def test_alert_end_to_end_through_the_worker(
    cast, lead, lead_link, smtp, webhook_receiver, settings
):
    """The counting pass's signal, the task queue, a worker, a real SMTP server and a
    webhook receiver: one alert within 5 seconds, none for the next click in the hour."""
    settings.FETCH_ALLOW = ["127.0.0.1"]
    cast.sara.chat_webhook_url = webhook_receiver.url("/services/T000/B000/XXX")
    cast.sara.save()

    started = time.monotonic()
    first = click_on(lead_link)
    clicks_counted.send(Click, clicks=[first])
    call_command("db_worker", batch=True, startup_delay=False, reload=False)
    assert time.monotonic() - started < 5

    assert len(smtp.received) == 1
    alert = LeadAlert.objects.get()
    assert (alert.lead, alert.click) == (lead, first)
    assert (alert.email_outcome, alert.chat_outcome) == ("sent", "sent")
    mail = smtp.received[0]
    assert mail.envelope_to == ["sara@example.com"]
    assert mail.message["Subject"] == "Ingrid Berg (Fjordkraft) just clicked your link"
    assert cast.article.title in mail.part("text/plain")
    assert len(webhook_receiver.requests) == 1
    assert "Ingrid Berg" in webhook_receiver.requests[0].json["text"]

    # Another visitor of the same lead, 20 minutes later: counted, but no second alert.
    with time_machine.travel(dt.timedelta(minutes=20)):
        clicks_counted.send(Click, clicks=[click_on(lead_link, ip="198.51.100.99")])
        call_command("db_worker", batch=True, startup_delay=False, reload=False)
    assert len(smtp.received) == 1
    assert len(webhook_receiver.requests) == 1
    assert LeadAlert.objects.count() == 1

    # After the hour, the next unique click alerts again.
    with time_machine.travel(dt.datetime.now(UTC) + dt.timedelta(minutes=61)):
        clicks_counted.send(Click, clicks=[click_on(lead_link, ip="198.51.100.100")])
        call_command("db_worker", batch=True, startup_delay=False, reload=False)
    assert len(smtp.received) == 2
    assert LeadAlert.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_lead_without_owner_alerts_nobody(cast, lead, lead_link, smtp):
    Lead.objects.filter(pk=lead.pk).update(owner=None)
    clicks_counted.send(Click, clicks=[click_on(lead_link)])
    call_command("db_worker", batch=True, startup_delay=False, reload=False)
    assert smtp.received == []


def test_mail_server_down_still_posts_to_chat(cast, lead, lead_link, settings, webhook_receiver):
    from tests.smtp import unused_port

    use_smtp(settings, port=unused_port())
    settings.FETCH_ALLOW = ["127.0.0.1"]
    cast.sara.chat_webhook_url = webhook_receiver.url("/hook")
    cast.sara.save()
    from budbringer.leads.alerts import send_alert

    report = send_alert(lead.pk, click_on(lead_link).pk)
    assert report == {"email": "temporary", "chat": "sent"}
    assert len(webhook_receiver.requests) == 1
