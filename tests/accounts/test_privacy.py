import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from budbringer.accounts.models import Person
from budbringer.accounts.privacy import erase_person, export_person
from budbringer.links.models import Click, TrackedLink
from budbringer.links.tracking import record_click
from budbringer.sharing.models import Share
from budbringer.sharing.sharing import record_share


@pytest.fixture
def bob_shared(cast):
    record_share(cast.bob, cast.article, "linkedin")
    link = TrackedLink.objects.get(person=cast.bob)
    record_click(link, method="GET", user_agent="Mozilla/5.0 Firefox/130.0", referrer="", ip="")
    return link


def test_export_holds_profile_shares_links_and_click_counts(cast, bob_shared):
    data = export_person(cast.bob)
    assert data["person"]["username"] == "bob"
    assert data["person"]["department"] == "Engineering"
    assert data["shares"] == [
        {
            "item": cast.article.title,
            "url": cast.article.url,
            "network": "linkedin",
            "shared_at": Share.objects.get().created_at.isoformat(),
        }
    ]
    assert [(link["code"], link["clicks"]) for link in data["tracked_links"]] == [
        (bob_shared.code, 1)
    ]
    json.dumps(data)  # must be serialisable as it is


def test_export_download_is_the_signed_in_persons_own(cast, bob_shared, login):
    response = login(cast.bob).get("/settings/my-data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.json()["person"]["username"] == "bob"


def test_erase_removes_person_and_login_but_keeps_detached_history(cast, bob_shared, client):
    erase_person(cast.bob)
    assert not Person.objects.filter(name="Bob").exists()
    assert not User.objects.filter(username="bob").exists()
    share = Share.objects.get()
    assert share.person is None
    bob_shared.refresh_from_db()
    assert bob_shared.person is None
    assert Click.objects.count() == 1
    # The link Bob posted keeps working for his readers.
    assert client.get(f"/l/{bob_shared.code}").status_code == 302


def test_person_command_exports_and_refuses_erase_without_yes(cast, bob_shared, capsys):
    call_command("person", "export", "bob")
    assert json.loads(capsys.readouterr().out)["person"]["name"] == "Bob"
    with pytest.raises(CommandError):
        call_command("person", "erase", "bob")
    assert Person.objects.filter(pk=cast.bob.pk).exists()
    call_command("person", "erase", "bob", "--yes")
    assert not Person.objects.filter(pk=cast.bob.pk).exists()
    with pytest.raises(CommandError):
        call_command("person", "export", "nobody")
