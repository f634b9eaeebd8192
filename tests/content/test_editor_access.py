import pytest

from budbringer.content.models import ApprovalState, Item
from tests.conftest import make_item

EDITOR_PAGES = [
    ("get", "/editor/items/"),
    ("get", "/editor/items/new/"),
    ("post", "/editor/items/new/"),
    ("post", "/editor/items/{pending}/approve/"),
    ("post", "/editor/items/{pending}/reject/"),
]


@pytest.fixture
def pending(cast):
    return make_item(cast.nordlys, "Waiting piece", approval_state=ApprovalState.PENDING)


@pytest.mark.parametrize("who", ["bob", "sara", "lena"])
@pytest.mark.parametrize(("method", "page"), EDITOR_PAGES)
def test_people_without_editing_role_are_forbidden(cast, login, pending, who, method, page):
    before = Item.objects.count()
    client = login(getattr(cast, who))
    response = getattr(client, method)(page.format(pending=pending.pk))
    assert response.status_code == 403
    assert b"Your role does not give access to this page." in response.content
    pending.refresh_from_db()
    assert pending.approval_state == ApprovalState.PENDING
    assert Item.objects.count() == before


@pytest.mark.parametrize("who", ["alice", "erik"])
def test_admins_and_editors_may(cast, login, who):
    client = login(getattr(cast, who))
    assert client.get("/editor/items/").status_code == 200
    assert client.get("/editor/items/new/").status_code == 200


def test_editor_link_is_only_in_the_menu_of_editors(cast, login):
    assert b'href="/editor/items/"' in login(cast.erik).get("/for-you/").content
    assert b'href="/editor/items/"' not in login(cast.bob).get("/for-you/").content
