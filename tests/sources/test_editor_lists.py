"""/editor/lists/: make, rename and delete lists; counts of sources and followers."""

import pytest

from budbringer.sources.models import Source, SourceList

PAGE = "/editor/lists/"


def test_the_page_counts_sources_and_followers(cast, login):
    cast.company_list.followers.add(cast.bob, cast.sara)
    response = login(cast.erik).get(PAGE)
    assert response.status_code == 200
    [row] = response.context["lists"]
    assert (row.name, row.source_count, row.follower_count) == ("Company blog", 1, 2)
    assert b"Havn" not in response.content


def test_making_a_list(cast, login):
    response = login(cast.erik).post(PAGE, {"name": "Customers", "kind": "customers"})
    assert response.status_code == 302
    made = SourceList.objects.get(organisation=cast.nordlys, name="Customers")
    assert made.kind == "customers"


def test_a_name_in_use_is_refused_whatever_its_case(cast, login):
    response = login(cast.erik).post(PAGE, {"name": "company BLOG", "kind": "custom"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["There is a list with this name already."]
    assert SourceList.objects.filter(organisation=cast.nordlys).count() == 1


def test_a_name_another_organisation_uses_is_free(cast, login):
    response = login(cast.erik).post(PAGE, {"name": cast.havn_list.name, "kind": "custom"})
    assert response.status_code == 302


def test_renaming_a_list(cast, login):
    url = f"/editor/lists/{cast.company_list.pk}/"
    client = login(cast.erik)
    assert b"Nordlys blog" in client.get(url).content
    response = client.post(url, {"name": "Company content", "kind": "company"})
    assert response.status_code == 302
    cast.company_list.refresh_from_db()
    assert cast.company_list.name == "Company content"
    # Keeping its own name is no clash.
    assert client.post(url, {"name": "Company content", "kind": "industry"}).status_code == 302


def test_deleting_a_list_keeps_its_sources(cast, login):
    cast.company_list.followers.add(cast.bob)
    client = login(cast.alice)
    url = f"/editor/lists/{cast.company_list.pk}/delete/"
    page = client.get(url).content.decode()
    assert "Its 1 source stays" in page
    assert "1 person follows it" in page
    assert client.post(url).status_code == 302
    assert not SourceList.objects.filter(pk=cast.company_list.pk).exists()
    assert Source.objects.filter(pk=cast.blog.pk).exists()
    assert not cast.bob.followed_lists.exists()


def test_lists_of_another_organisation_are_404(cast, login):
    client = login(cast.alice)
    havn = cast.havn_list.pk
    assert client.get(f"/editor/lists/{havn}/").status_code == 404
    assert (
        client.post(f"/editor/lists/{havn}/", {"name": "Mine", "kind": "custom"}).status_code == 404
    )
    assert client.post(f"/editor/lists/{havn}/delete/").status_code == 404
    assert SourceList.objects.get(pk=havn).name == "Havn news"


@pytest.mark.parametrize("who", ["bob", "sara", "lena"])
def test_only_editors(cast, login, who):
    client = login(getattr(cast, who))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "X", "kind": "custom"}).status_code == 403
    assert client.post(f"/editor/lists/{cast.company_list.pk}/delete/").status_code == 403
    assert SourceList.objects.filter(organisation=cast.nordlys).count() == 1
