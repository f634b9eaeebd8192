"""Leads in the owner's export, and what erasing the owner does to them."""

from budbringer.accounts.privacy import erase_person, export_person
from budbringer.leads.models import Lead


def test_owner_export_holds_their_leads(cast, lead, lead_link):
    exported = export_person(cast.sara)["leads"]
    assert exported == [
        {
            "name": "Ingrid Berg",
            "email": "ingrid@fjordkraft.example",
            "company": "Fjordkraft",
            "notes": "",
            "created_at": lead.created_at.isoformat(),
            "links": [cast.article.url],
        }
    ]
    assert export_person(cast.lena)["leads"] == []


def test_erasing_the_owner_keeps_the_lead_with_the_organisation_without_owner(cast, lead):
    erase_person(cast.sara)
    lead.refresh_from_db()
    assert lead.owner is None
    assert lead.organisation == cast.nordlys
    assert Lead.objects.count() == 1
