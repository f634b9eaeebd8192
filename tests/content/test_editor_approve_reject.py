import pytest

from budbringer.content.models import ApprovalState, Item
from tests.conftest import make_item


@pytest.fixture
def pending(cast):
    return make_item(cast.nordlys, "Waiting piece", approval_state=ApprovalState.PENDING)


def test_pending_list_shows_own_pending_items(cast, login, pending):
    make_item(cast.havn, "Havn pending piece", approval_state=ApprovalState.PENDING)
    response = login(cast.erik).get("/editor/items/")
    assert response.status_code == 200
    assert [item.title for item in response.context["page"]] == ["Waiting piece"]
    assert b"Havn" not in response.content


def test_state_tabs_filter_and_unknown_state_falls_back(cast, login, pending):
    client = login(cast.erik)
    approved = client.get("/editor/items/?state=approved")
    assert [item.title for item in approved.context["page"]] == [cast.article.title]
    assert client.get("/editor/items/?state=bogus").context["state"] == "pending"


def test_approve(cast, login, pending):
    response = login(cast.erik).post(f"/editor/items/{pending.pk}/approve/")
    assert response.status_code == 302
    assert response["Location"] == "/editor/items/"
    pending.refresh_from_db()
    assert pending.approval_state == ApprovalState.APPROVED
    assert pending.approved_by == cast.erik
    assert pending.approved_at is not None
    # Now people see it.
    assert login(cast.bob).get(f"/items/{pending.pk}/").status_code == 200


def test_approving_twice_keeps_the_first_approval(cast, login, pending):
    login(cast.erik).post(f"/editor/items/{pending.pk}/approve/")
    first = Item.objects.get(pk=pending.pk).approved_at
    login(cast.alice).post(f"/editor/items/{pending.pk}/approve/")
    pending.refresh_from_db()
    assert (pending.approved_by, pending.approved_at) == (cast.erik, first)


def test_reject(cast, login):
    response = login(cast.alice).post(f"/editor/items/{cast.article.pk}/reject/")
    assert response.status_code == 302
    cast.article.refresh_from_db()
    assert cast.article.approval_state == ApprovalState.REJECTED
    assert cast.article.approved_by == cast.alice
    assert cast.article.approved_at is None
    assert login(cast.bob).get(f"/items/{cast.article.pk}/").status_code == 404


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_get_is_not_allowed_and_changes_nothing(cast, login, pending, action):
    response = login(cast.erik).get(f"/editor/items/{pending.pk}/{action}/")
    assert response.status_code == 405
    pending.refresh_from_db()
    assert pending.approval_state == ApprovalState.PENDING


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_item_of_another_organisation_is_404(cast, login, action):
    havn_pending = make_item(cast.havn, "Havn draft", approval_state=ApprovalState.PENDING)
    response = login(cast.alice).post(f"/editor/items/{havn_pending.pk}/{action}/")
    assert response.status_code == 404
    havn_pending.refresh_from_db()
    assert havn_pending.approval_state == ApprovalState.PENDING
