"""A lead's notes are its owner's: only the owner reads and edits them. Leaders and admins
see that there are notes, never their text; erasing the owner deletes them."""

import pytest
from django.urls import reverse

from budbringer.accounts.privacy import erase_person
from budbringer.leads.models import Lead

NOTES = "Unhappy with their current vendor; do not mention the price rise"


@pytest.fixture
def lead_with_notes(lead):
    lead.notes = NOTES
    lead.save()
    return lead


def test_the_owner_reads_and_edits_the_notes(cast, login, lead_with_notes):
    client = login(cast.sara)
    assert NOTES in client.get(reverse("lead_detail", args=[lead_with_notes.pk])).text
    assert NOTES in client.get(reverse("lead_edit", args=[lead_with_notes.pk])).text
    client.post(
        reverse("lead_edit", args=[lead_with_notes.pk]),
        {"name": "Ingrid Berg", "email": "ingrid@fjordkraft.example", "notes": "Call Tuesday"},
    )
    lead_with_notes.refresh_from_db()
    assert lead_with_notes.notes == "Call Tuesday"


@pytest.mark.parametrize("who", ["lena", "alice"])
def test_leaders_and_admins_see_that_there_are_notes_but_not_their_text(
    cast, login, lead_with_notes, who
):
    client = login(getattr(cast, who))
    detail = client.get(reverse("lead_detail", args=[lead_with_notes.pk])).text
    assert "The owner has notes on this lead; only the owner can read them." in detail
    for page in ("lead_detail", "lead_edit", "lead_hand_over", "lead_delete"):
        assert NOTES not in client.get(reverse(page, args=[lead_with_notes.pk])).text, page
    for page in ("lead_list", "leads_hot"):
        assert NOTES not in client.get(reverse(page)).text, page


@pytest.mark.parametrize("who", ["lena", "alice"])
def test_a_leaders_edit_leaves_the_notes_alone(cast, login, lead_with_notes, who):
    client = login(getattr(cast, who))
    assert 'name="notes"' not in client.get(reverse("lead_edit", args=[lead_with_notes.pk])).text
    client.post(
        reverse("lead_edit", args=[lead_with_notes.pk]),
        {"name": "Ingrid Berg", "email": "ingrid@fjordkraft.no", "notes": "overwritten"},
    )
    lead_with_notes.refresh_from_db()
    assert (lead_with_notes.email, lead_with_notes.notes) == ("ingrid@fjordkraft.no", NOTES)


def test_a_leader_writes_the_notes_of_a_lead_they_add_for_someone(cast, login):
    """Whoever adds a lead may write its first notes; from then on they are the owner's."""
    notes = "Met at Nor-Shipping"
    client = login(cast.lena)
    client.post(
        reverse("lead_new"),
        {"name": "Ola", "email": "ola@example.com", "owner": cast.sara.pk, "notes": notes},
    )
    lead = Lead.objects.get(name="Ola")
    assert lead.notes == notes
    detail = reverse("lead_detail", args=[lead.pk])
    assert notes not in client.get(detail).text
    assert notes in login(cast.sara).get(detail).text


def test_erasing_the_owner_deletes_their_notes(cast, lead_with_notes):
    erase_person(cast.sara)
    lead_with_notes.refresh_from_db()
    assert (lead_with_notes.owner, lead_with_notes.notes) == (None, "")
