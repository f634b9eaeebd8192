"""Handing a lead over: the one way a lead changes owner. The new owner gets its alerts
from then on; a sales person who hands a lead over no longer sees it; the notes go along
only when the owner hands the lead over."""

import datetime as dt

import pytest
from django.urls import reverse

from budbringer.leads.alerts import send_alert
from budbringer.leads.leads import HandOverRefused, hand_over_lead
from budbringer.leads.lookups import get_lead_for
from budbringer.leads.models import Lead
from tests.leads.conftest import click_on

NOTES = "Wants a pilot in Bergen; budget decided in May"


@pytest.fixture
def lead_with_notes(lead):
    lead.notes = NOTES
    lead.save()
    return lead


def test_the_owner_hands_over_with_the_notes_and_no_longer_sees_it(cast, login, lead_with_notes):
    client = login(cast.sara)
    page = client.get(reverse("lead_hand_over", args=[lead_with_notes.pk])).text
    assert "You will no longer see this lead." in page
    assert "Your notes go with the lead" in page

    answer = client.post(
        reverse("lead_hand_over", args=[lead_with_notes.pk]), {"new_owner": cast.lena.pk}
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("lead_list")
    lead_with_notes.refresh_from_db()
    assert lead_with_notes.owner == cast.lena
    assert lead_with_notes.notes == NOTES
    assert lead_with_notes.handed_over_at is not None
    message = client.get(answer["Location"]).text
    assert "Ingrid Berg is now the lead of Lena, who gets the alerts about them." in message
    assert client.get(reverse("lead_detail", args=[lead_with_notes.pk])).status_code == 404

    detail = login(cast.lena).get(reverse("lead_detail", args=[lead_with_notes.pk])).text
    assert NOTES in detail
    assert "handed over" in detail


def test_the_new_owner_gets_the_alerts_from_then_on(cast, lead, lead_link, smtp):
    hand_over_lead(lead, cast.lena, by=cast.sara)
    report = send_alert(lead.pk, click_on(lead_link).pk)
    assert report == {"email": "sent"}
    assert [mail.envelope_to for mail in smtp.received] == [["lena@example.com"]]


@pytest.mark.parametrize("who", ["lena", "alice"])
def test_a_leader_or_admin_hands_over_someone_elses_lead_without_its_notes(
    cast, login, lead_with_notes, sven, who
):
    client = login(getattr(cast, who))
    page = client.get(reverse("lead_hand_over", args=[lead_with_notes.pk])).text
    assert "The owner's notes on this lead will be deleted." in page
    assert NOTES not in page
    assert "You will no longer see this lead." not in page

    answer = client.post(
        reverse("lead_hand_over", args=[lead_with_notes.pk]), {"new_owner": sven.pk}
    )
    assert answer["Location"] == reverse("lead_detail", args=[lead_with_notes.pk])
    assert "Ingrid Berg is now the lead of Sven" in client.get(answer["Location"]).text
    lead_with_notes.refresh_from_db()
    assert (lead_with_notes.owner, lead_with_notes.notes) == (sven, "")
    assert "Ingrid Berg" not in login(cast.sara).get(reverse("lead_list")).text


def test_a_leader_hands_over_a_lead_whose_owner_left(cast, login, lead):
    Lead.objects.filter(pk=lead.pk).update(owner=None)
    client = login(cast.lena)
    answer = client.post(reverse("lead_hand_over", args=[lead.pk]), {"new_owner": cast.sara.pk})
    assert answer.status_code == 302
    lead.refresh_from_db()
    assert lead.owner == cast.sara
    assert "Ingrid Berg" in login(cast.sara).get(reverse("lead_list")).text


@pytest.mark.parametrize("to", ["charlie", "bob", "erik", "sara", "inactive"])
def test_a_lead_goes_only_to_someone_else_who_may_own_leads(cast, login, lead_with_notes, to):
    """Another organisation's person, an employee, an editor, the owner, a closed login."""
    if to == "inactive":
        cast.lena.user.is_active = False
        cast.lena.user.save()
        to = "lena"
    client = login(cast.sara)
    answer = client.post(
        reverse("lead_hand_over", args=[lead_with_notes.pk]),
        {"new_owner": getattr(cast, to).pk},
    )
    assert answer.status_code == 200
    assert "Select a valid choice" in answer.text
    lead_with_notes.refresh_from_db()
    assert (lead_with_notes.owner, lead_with_notes.notes) == (cast.sara, NOTES)
    assert lead_with_notes.handed_over_at is None
    with pytest.raises(HandOverRefused):
        hand_over_lead(lead_with_notes, getattr(cast, to), by=cast.sara)


def test_a_hand_over_needs_a_choice(cast, login, lead):
    answer = login(cast.sara).post(reverse("lead_hand_over", args=[lead.pk]), {})
    assert answer.status_code == 200
    assert "This field is required." in answer.text
    lead.refresh_from_db()
    assert lead.owner == cast.sara


def test_of_two_hand_overs_at_once_only_the_first_happens(cast, lead_with_notes, sven):
    """Sara and her leader both opened the page; Lena's hand-over lands first. Sara's, made
    from what she read before, is refused instead of overwriting it (and would have passed
    her notes on, which Lena's did not)."""
    as_sara = get_lead_for(cast.sara, lead_with_notes.pk)
    as_alice = get_lead_for(cast.alice, lead_with_notes.pk)
    hand_over_lead(get_lead_for(cast.lena, lead_with_notes.pk), sven, by=cast.lena)
    # Sara no longer owns it: she may not hand it over at all.
    with pytest.raises(HandOverRefused, match="cannot hand over"):
        hand_over_lead(as_sara, cast.alice, by=cast.sara)
    # Alice may, but she read it while Sara owned it: the conditional update refuses.
    with pytest.raises(HandOverRefused, match="just handed this lead over"):
        hand_over_lead(as_alice, cast.alice, by=cast.alice)
    lead_with_notes.refresh_from_db()
    assert (lead_with_notes.owner, lead_with_notes.notes) == (sven, "")


def test_a_refused_hand_over_is_told_on_the_page(cast, login, lead, sven):
    """The page was opened, then someone else handed the lead over: a clear error, no 500."""
    client = login(cast.lena)
    hand_over_lead(get_lead_for(cast.alice, lead.pk), sven, by=cast.alice)
    answer = client.post(reverse("lead_hand_over", args=[lead.pk]), {"new_owner": sven.pk})
    # Sven owns it now, so he is no longer a choice: the form says so.
    assert answer.status_code == 200
    assert "Select a valid choice" in answer.text


def test_nobody_to_hand_over_to_is_said_plainly(cast, login, lead):
    for person in (cast.lena, cast.alice):
        person.user.is_active = False
        person.user.save()
    page = login(cast.sara).get(reverse("lead_hand_over", args=[lead.pk])).text
    assert "there is nobody to hand this lead over to" in page
    assert 'name="new_owner"' not in page


def test_hand_over_time_is_recorded(cast, lead):
    at = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.UTC)
    hand_over_lead(lead, cast.lena, by=cast.sara, now=at)
    lead.refresh_from_db()
    assert (lead.owner, lead.handed_over_at) == (cast.lena, at)
