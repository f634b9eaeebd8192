"""Lead pages: sales people, leaders and admins of the organisation; nobody else."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from budbringer.leads.models import Lead, LeadLink
from budbringer.links.models import Click, ClickKind, TrackedLink
from tests.leads.conftest import click_on

PAGES = ["lead_list", "leads_hot", "lead_new"]
LEAD_PAGES = ["lead_detail", "lead_edit", "lead_hand_over", "lead_delete"]


@pytest.fixture
def havn_lead(cast):
    return Lead.objects.create(
        organisation=cast.havn, name="Havn Prospect", email="p@havn.example.com", owner=cast.charlie
    )


@pytest.mark.parametrize("who", ["sara", "lena", "alice"])
def test_sales_leaders_and_admins_see_leads(cast, login, lead, who):
    client = login(getattr(cast, who))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200
    for name in LEAD_PAGES:
        answer = client.get(reverse(name, args=[lead.pk]))
        assert answer.status_code == 200
        assert "Ingrid Berg" in answer.text
    assert reverse("lead_list") in client.get(reverse("for_you")).text  # the menu link


@pytest.mark.parametrize("who", ["bob", "erik"])
def test_employees_and_editors_are_refused(cast, login, lead, who):
    client = login(getattr(cast, who))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403
    for name in LEAD_PAGES:
        assert client.get(reverse(name, args=[lead.pk])).status_code == 403
    assert client.post(reverse("lead_delete", args=[lead.pk])).status_code == 403
    assert reverse("lead_list") not in client.get(reverse("for_you")).text
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_signed_out_goes_to_sign_in(client, lead):
    answer = client.get(reverse("lead_detail", args=[lead.pk]))
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_another_organisations_lead_is_never_reachable(cast, login, havn_lead):
    client = login(cast.sara)
    for name in LEAD_PAGES:
        assert client.get(reverse(name, args=[havn_lead.pk])).status_code == 404
    answer = client.post(
        reverse("lead_link_new", args=[havn_lead.pk]), {"url": "https://nordlys.example.com"}
    )
    assert answer.status_code == 404
    assert client.post(reverse("lead_delete", args=[havn_lead.pk])).status_code == 404
    assert "Havn Prospect" not in client.get(reverse("lead_list")).text
    assert Lead.objects.filter(pk=havn_lead.pk).exists()
    assert not LeadLink.objects.exists()


def test_a_sales_person_adds_leads_of_their_own(cast, login):
    client = login(cast.sara)
    assert 'name="owner"' not in client.get(reverse("lead_new")).text
    answer = client.post(
        reverse("lead_new"),
        {"name": "Ola", "email": "ola@example.com", "company": "Vind AS", "owner": cast.lena.pk},
    )
    lead = Lead.objects.get(name="Ola")
    assert answer.status_code == 302
    assert (lead.organisation, lead.owner) == (cast.nordlys, cast.sara)


def test_a_leader_adds_a_lead_for_someone_of_the_organisation(cast, login):
    client = login(cast.lena)
    answer = client.post(
        reverse("lead_new"), {"name": "Ola", "email": "ola@example.com", "owner": cast.sara.pk}
    )
    lead = Lead.objects.get(name="Ola")
    assert answer.status_code == 302
    assert (lead.organisation, lead.owner) == (cast.nordlys, cast.sara)


@pytest.mark.parametrize("owner", ["charlie", "bob"])
def test_owner_must_be_of_the_organisation_and_in_a_lead_role(cast, login, owner):
    client = login(cast.lena)
    answer = client.post(
        reverse("lead_new"),
        {"name": "Ola", "email": "ola@example.com", "owner": getattr(cast, owner).pk},
    )
    assert answer.status_code == 200
    assert "Select a valid choice" in answer.text
    assert not Lead.objects.exists()


def test_link_to_an_address_redirects_only_to_it(cast, login, client, lead):
    login(cast.sara).post(
        reverse("lead_link_new", args=[lead.pk]), {"url": "https://nordlys.example.com/pricing"}
    )
    link = TrackedLink.objects.get(lead_link__lead=lead)
    client.logout()
    answer = client.get(f"/l/{link.code}?next=https://evil.example.com")
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://nordlys.example.com/pricing?")


@pytest.mark.parametrize(
    "data",
    [{"url": "javascript:alert(1)"}, {"url": "ftp://example.com/x"}, {}, {"url": "not a url"}],
)
def test_bad_link_requests_make_no_link(cast, login, lead, data):
    answer = login(cast.sara).post(reverse("lead_link_new", args=[lead.pk]), data)
    assert answer.status_code == 302
    assert not TrackedLink.objects.filter(lead_link__lead=lead).exists()


def test_link_to_an_item_of_another_organisation_is_refused(cast, login, lead):
    login(cast.sara).post(reverse("lead_link_new", args=[lead.pk]), {"item": cast.havn_article.pk})
    assert not TrackedLink.objects.filter(lead_link__lead=lead).exists()


def test_link_to_an_item(cast, login, lead):
    login(cast.sara).post(reverse("lead_link_new", args=[lead.pk]), {"item": cast.article.pk})
    link = TrackedLink.objects.get(lead_link__lead=lead)
    assert (link.item, link.target_url, link.person) == (cast.article, cast.article.url, None)


def test_hot_now_lists_leads_with_a_counted_click_in_the_last_day(cast, login, lead, lead_link):
    cold = Lead.objects.create(organisation=cast.nordlys, name="Cold Carl", email="c@example.com")
    cold_link = TrackedLink.objects.create(
        organisation=cast.nordlys, target_url="https://a.example"
    )
    LeadLink.objects.create(lead=cold, link=cold_link)
    click_on(cold_link, now=timezone.now() - dt.timedelta(hours=25))
    scanned = Lead.objects.create(organisation=cast.nordlys, name="Scanned Sue", email="s@x.io")
    scanned_link = TrackedLink.objects.create(organisation=cast.nordlys, target_url="https://b.io")
    LeadLink.objects.create(lead=scanned, link=scanned_link)
    click_on(scanned_link, ClickKind.SCANNER)
    click_on(lead_link, ClickKind.REPEAT)

    text = login(cast.lena).get(reverse("leads_hot")).text
    assert "Ingrid Berg" in text
    assert "Cold Carl" not in text
    assert "Scanned Sue" not in text


def test_deleting_a_lead_deletes_its_links_and_clicks(cast, login, client, lead, lead_link):
    click_on(lead_link)
    code = lead_link.code
    login(cast.sara).post(reverse("lead_delete", args=[lead.pk]))
    assert not Lead.objects.exists()
    assert not TrackedLink.objects.filter(code=code).exists()
    assert not Click.objects.filter(link_id=lead_link.pk).exists()
    assert client.get(f"/l/{code}").status_code == 404


def test_lead_list_queries_do_not_grow_with_leads(cast, login, django_assert_max_num_queries):
    for n in range(20):
        Lead.objects.create(
            organisation=cast.nordlys, name=f"L{n}", email=f"l{n}@example.com", owner=cast.sara
        )
    client = login(cast.sara)
    with django_assert_max_num_queries(8):
        client.get(reverse("lead_list"))
