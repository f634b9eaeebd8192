"""MailSender against a real SMTP server: what arrives, and what each refusal becomes."""

import random
import time

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives

from budbringer.digests import mail
from budbringer.digests.mail import MailSender, RateLimit, process_rate_limit
from budbringer.digests.outcomes import RETRY_MINUTES, Outcome, retry_delay_seconds
from tests.smtp import smtp_fixture, smtp_server_fixture, unused_port, use_smtp  # noqa: F401


class FakeClock:
    """A clock whose sleep moves time on instead of waiting."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def digest(to="bob@example.com", subject="Your digest: 3 stories"):
    message = EmailMultiAlternatives(
        subject,
        "Hi Bob,\n\nFjord data centres go green — and 2 more stories.\n",
        "Budbringer <digest@nordlys.example>",
        [to],
        headers={"List-Unsubscribe": "<https://budbringer.example/u/abc>"},
    )
    message.attach_alternative(
        "<p>Hi Bob,</p><p>Fjord data centres go green — ø å</p>", "text/html"
    )
    return message


def test_a_message_arrives_with_its_headers_and_both_parts(smtp):
    with MailSender() as sender:
        result = sender.send(digest())

    assert result.outcome is Outcome.SENT
    [received] = smtp.received
    assert received.envelope_from == "digest@nordlys.example"
    assert received.envelope_to == ["bob@example.com"]
    assert received.message["Subject"] == "Your digest: 3 stories"
    assert received.message["From"] == "Budbringer <digest@nordlys.example>"
    assert received.message["To"] == "bob@example.com"
    assert received.message["List-Unsubscribe"] == "<https://budbringer.example/u/abc>"
    assert received.message_id and result.detail == received.message_id
    assert "Fjord data centres go green — and 2 more stories." in received.part("text/plain")
    assert "<p>Fjord data centres go green — ø å</p>" in received.part("text/html")


def test_a_given_message_id_is_kept_and_shared_headers_are_not_touched(smtp):
    shared = {"X-Budbringer": "digest"}
    first = EmailMessage("One", "Body", to=["a@example.com"], headers=shared)
    second = EmailMessage(
        "Two", "Body", to=["b@example.com"], headers={"Message-ID": "<fixed@nordlys.example>"}
    )
    with MailSender() as sender:
        assert sender.send(first).outcome is Outcome.SENT
        assert sender.send(second).detail == "<fixed@nordlys.example>"

    assert shared == {"X-Budbringer": "digest"}
    assert [m.message_id for m in smtp.received][1] == "<fixed@nordlys.example>"
    assert smtp.received[0].message_id != smtp.received[1].message_id


def test_a_batch_uses_one_connection(smtp):
    with MailSender() as sender:
        results = [sender.send(digest(f"person{n}@example.com")) for n in range(5)]

    assert {r.outcome for r in results} == {Outcome.SENT}
    assert [m.envelope_to for m in smtp.received] == [[f"person{n}@example.com"] for n in range(5)]
    assert smtp.connections == 1


def test_no_such_user_is_permanent_and_about_the_recipient(smtp):
    smtp.reply_to_rcpt("gone@example.com", "550 5.1.1 <gone@example.com>: No such user")

    with MailSender() as sender:
        result = sender.send(digest("gone@example.com"))
        after = sender.send(digest("bob@example.com"))

    assert result.outcome is Outcome.PERMANENT
    assert result.recipient_problem
    assert result.detail == "550 5.1.1 <gone@example.com>: No such user"
    # The refusal leaves the connection usable for the rest of the batch.
    assert after.outcome is Outcome.SENT
    assert smtp.connections == 1
    assert [m.envelope_to for m in smtp.received] == [["bob@example.com"]]


def test_a_bare_550_without_enhanced_code_is_about_the_recipient(smtp):
    smtp.reply_to_rcpt("gone@example.com", "550 Mailbox unavailable")

    with MailSender() as sender:
        result = sender.send(digest("gone@example.com"))

    assert (result.outcome, result.recipient_problem) == (Outcome.PERMANENT, True)


@pytest.mark.parametrize(
    "reply",
    ["554 5.7.1 <bob@example.com>: Relay access denied", "550 Relaying denied", "552 5.2.2 Full"],
)
def test_policy_refusals_are_permanent_but_not_held_against_the_person(smtp, reply):
    smtp.reply_to_rcpt("bob@example.com", reply)

    with MailSender() as sender:
        result = sender.send(digest("bob@example.com"))

    assert result.outcome is Outcome.PERMANENT
    assert not result.recipient_problem


def test_a_busy_mailbox_is_temporary(smtp):
    smtp.reply_to_rcpt("busy@example.com", "450 4.2.1 Mailbox busy, try again")

    with MailSender() as sender:
        result = sender.send(digest("busy@example.com"))

    assert result.outcome is Outcome.TEMPORARY
    assert not result.recipient_problem
    assert result.detail == "450 4.2.1 Mailbox busy, try again"
    assert smtp.received == []


def test_data_refusals_451_is_temporary_and_554_permanent(smtp):
    with MailSender() as sender:
        smtp.reply_to_data("451 4.3.0 Local error, try later", times=1)
        later = sender.send(digest())
        smtp.reply_to_data("554 5.6.0 Message content rejected", times=1)
        rejected = sender.send(digest())
        accepted = sender.send(digest())

    assert (later.outcome, later.detail) == (Outcome.TEMPORARY, "451 4.3.0 Local error, try later")
    assert rejected.outcome is Outcome.PERMANENT
    assert not rejected.recipient_problem
    assert rejected.detail == "554 5.6.0 Message content rejected"
    assert accepted.outcome is Outcome.SENT
    assert len(smtp.received) == 1
    assert smtp.connections == 1


def test_an_unknown_user_found_after_data_is_about_the_recipient(smtp):
    smtp.reply_to_data("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found")

    with MailSender() as sender:
        result = sender.send(digest())

    assert (result.outcome, result.recipient_problem) == (Outcome.PERMANENT, True)


def test_server_down_is_temporary_and_fast(settings):
    use_smtp(settings, port=unused_port())

    started = time.monotonic()
    with MailSender() as sender:
        results = [sender.send(digest()), sender.send(digest())]

    assert time.monotonic() - started < 2
    assert [r.outcome for r in results] == [Outcome.TEMPORARY, Outcome.TEMPORARY]
    assert results[0].detail.startswith("connecting: ConnectionRefusedError")
    assert not results[0].recipient_problem


def test_a_slow_server_times_out_and_the_next_message_reconnects(smtp, settings):
    settings.EMAIL_TIMEOUT = 1
    smtp.data_delay = 3

    with MailSender() as sender:
        started = time.monotonic()
        slow = sender.send(digest("first@example.com"))
        waited = time.monotonic() - started
        smtp.data_delay = 0
        after = sender.send(digest("second@example.com"))

    assert slow.outcome is Outcome.TEMPORARY
    assert "TimeoutError" in slow.detail
    assert 0.9 < waited < 2.5
    assert after.outcome is Outcome.SENT
    assert smtp.connections == 2
    assert ["second@example.com"] in [m.envelope_to for m in smtp.received]


def test_a_hang_up_fails_one_message_and_the_next_goes_through(smtp):
    with MailSender() as sender:
        assert sender.send(digest("first@example.com")).outcome is Outcome.SENT
        smtp.drop_connections()
        lost = sender.send(digest("second@example.com"))
        after = sender.send(digest("third@example.com"))

    assert lost.outcome is Outcome.TEMPORARY
    # EOF or a reset, depending on where the client was when the server hung up.
    assert lost.detail.startswith(("SMTPServerDisconnected", "ConnectionResetError"))
    assert after.outcome is Outcome.SENT
    assert smtp.connections == 2
    assert [m.envelope_to for m in smtp.received] == [["first@example.com"], ["third@example.com"]]


def test_an_idle_connection_is_checked_before_it_is_used_again(smtp):
    clock = FakeClock()
    with MailSender(clock=clock) as sender:
        assert sender.send(digest("first@example.com")).outcome is Outcome.SENT
        clock.now += mail.IDLE_CHECK_SECONDS - 1
        assert sender.send(digest("second@example.com")).outcome is Outcome.SENT
        assert smtp.connections == 1  # checked only after a long pause
        smtp.drop_connections()  # the server gave up on its idle client
        clock.now += mail.IDLE_CHECK_SECONDS
        result = sender.send(digest("third@example.com"))

    assert result.outcome is Outcome.SENT
    assert smtp.connections == 2
    assert len(smtp.received) == 3


def test_the_rate_limit_spaces_messages(smtp):
    clock = FakeClock()
    limit = RateLimit(4, clock=clock, sleep=clock.sleep)

    with MailSender(rate_limit=limit) as sender:
        results = [sender.send(digest()) for _ in range(3)]
        clock.now += 10  # a pause longer than the spacing: no wait after it
        results.append(sender.send(digest()))

    assert {r.outcome for r in results} == {Outcome.SENT}
    assert clock.sleeps == [0.25, 0.25]
    assert len(smtp.received) == 4


def test_the_rate_limit_counts_the_time_already_spent():
    clock = FakeClock()
    limit = RateLimit(2, clock=clock, sleep=clock.sleep)

    limit.wait()
    clock.now += 0.2  # composing the next message took a while
    limit.wait()

    assert clock.sleeps == [pytest.approx(0.3)]


def test_rate_zero_never_waits():
    clock = FakeClock()
    limit = RateLimit(0, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        limit.wait()
    assert clock.sleeps == []


def test_the_process_shares_one_limit_at_the_configured_rate(settings):
    settings.EMAIL_RATE = 7
    assert process_rate_limit() is process_rate_limit()
    assert process_rate_limit().per_second == 7
    assert MailSender().rate_limit is process_rate_limit()


def test_a_message_without_recipients_is_a_programming_error(smtp):
    with MailSender() as sender, pytest.raises(ValueError, match="recipient"):
        sender.send(EmailMessage("Subject", "Body"))


@pytest.mark.parametrize("attempts", range(1, len(RETRY_MINUTES) + 1))
def test_retry_delays_stay_within_the_jitter(attempts):
    base = RETRY_MINUTES[attempts - 1] * 60
    delays = [retry_delay_seconds(attempts, random.Random(seed)) for seed in range(200)]
    assert all(0.8 * base <= d <= 1.2 * base for d in delays)
    assert len(set(delays)) > 100  # jittered, not one fixed value
    assert min(delays) < 0.9 * base and max(delays) > 1.1 * base


def test_retries_grow_and_then_stop():
    assert retry_delay_seconds(0) is None
    assert retry_delay_seconds(len(RETRY_MINUTES) + 1) is None
    assert tuple(sorted(RETRY_MINUTES)) == RETRY_MINUTES
    assert retry_delay_seconds(1, random.Random(1)) == retry_delay_seconds(1, random.Random(1))
