"""A lead belongs to its owner: a sales person sees and works with only their own leads
(another's is a 404 on every leads URL, like another organisation's); leaders and admins
see and work with every lead of the organisation, ownerless ones included."""

import pytest
from django.urls import reverse

from budbringer.leads.leads import create_lead_link
from budbringer.leads.lookups import leads_for
from budbringer.leads.models import Lead, LeadLink
from tests.leads.conftest import click_on
from tests.test_tenant_isolation import all_patterns

# What a form on each page would send, so that a POST that got through would change something.
POSTS = {
    "lead_edit": {"name": "Taken", "email": "taken@example.com", "notes": "mine now"},
    "lead_link_new": {"url": "https://nordlys.example.com/pricing"},
    "lead_delete": {},
}


def lead_urls(lead_id: int) -> list[tuple[str, str]]:
    """(name, URL) of every URL pattern that takes a lead id, found by the URL resolver, so
    that a new leads page is covered without anyone adding it here."""
    found = []
    for pattern in all_patterns():
        if "lead_id" in pattern.params:
            found.append((pattern.pattern.name, pattern.fill({"lead_id": lead_id})))
    return found


def test_the_walk_covers_every_lead_page():
    names = {name for name, _url in lead_urls(1)}
    assert names >= {"lead_detail", "lead_edit", "lead_link_new", "lead_hand_over", "lead_delete"}


def test_another_owners_lead_is_a_404_on_every_leads_url(cast, login, lead, svens_lead, sven):
    """Sara (sales) and Sven's lead: no page shows it, no POST changes it."""
    client = login(cast.sara)
    post_data = {**POSTS, "lead_hand_over": {"new_owner": cast.sara.pk}}
    for name, url in lead_urls(svens_lead.pk):
        assert client.get(url).status_code in (404, 405), url
        answer = client.post(url, post_data.get(name, {}))
        assert answer.status_code == 404, url
        assert "Vidar Vik" not in answer.text
    svens_lead.refresh_from_db()
    assert (svens_lead.name, svens_lead.owner, svens_lead.notes) == (
        "Vidar Vik",
        sven,
        "Sven's private word: budget frozen until March",
    )
    assert not LeadLink.objects.filter(lead=svens_lead).exists()


def test_a_sales_person_lists_only_their_own_leads(cast, login, lead, lead_link, svens_lead):
    svens_link = create_lead_link(svens_lead, url="https://nordlys.example.com/offer")
    click_on(lead_link)
    click_on(svens_link)
    client = login(cast.sara)
    for page in ("lead_list", "leads_hot"):
        text = client.get(reverse(page)).text
        assert "Ingrid Berg" in text, page
        assert "Vidar Vik" not in text, page
        assert "Vindkraft" not in text, page
    assert list(leads_for(cast.sara)) == [lead]


@pytest.mark.parametrize("who", ["lena", "alice"])
def test_leaders_and_admins_see_and_change_every_lead(cast, login, lead, svens_lead, who):
    client = login(getattr(cast, who))
    for page in ("lead_list", "leads_hot"):
        assert client.get(reverse(page)).status_code == 200
    listed = client.get(reverse("lead_list")).text
    assert "Ingrid Berg" in listed and "Vidar Vik" in listed
    for name, url in lead_urls(svens_lead.pk):
        if name != "lead_link_new":  # POST only
            assert client.get(url).status_code == 200, url
    answer = client.post(
        reverse("lead_edit", args=[svens_lead.pk]),
        {"name": "Vidar Vik", "email": "vidar@vindkraft.example", "company": "Vindkraft AS"},
    )
    assert answer.status_code == 302
    svens_lead.refresh_from_db()
    assert svens_lead.company == "Vindkraft AS"
    client.post(reverse("lead_delete", args=[svens_lead.pk]))
    assert not Lead.objects.filter(pk=svens_lead.pk).exists()


@pytest.mark.parametrize("who", ["lena", "alice"])
def test_leaders_and_admins_see_leads_whose_owner_left(cast, login, lead, who):
    Lead.objects.filter(pk=lead.pk).update(owner=None)
    client = login(getattr(cast, who))
    assert "Ingrid Berg" in client.get(reverse("lead_list")).text
    detail = client.get(reverse("lead_detail", args=[lead.pk])).text
    assert "Nobody: its owner has left" in detail


def test_nobody_without_a_lead_role_gets_any_lead(cast):
    Lead.objects.create(organisation=cast.nordlys, name="Loose", email="l@example.com")
    for person in (cast.bob, cast.erik):
        assert list(leads_for(person)) == []


def test_a_sales_person_edits_their_lead_but_cannot_change_its_owner(cast, login, lead):
    client = login(cast.sara)
    assert 'name="owner"' not in client.get(reverse("lead_edit", args=[lead.pk])).text
    client.post(
        reverse("lead_edit", args=[lead.pk]),
        {"name": "Ingrid Berg", "email": "ingrid@fjordkraft.example", "owner": cast.lena.pk},
    )
    lead.refresh_from_db()
    assert lead.owner == cast.sara
