"""Every file of feedparser's own test corpus (2,109 feeds, well-formed, broken, in odd
encodings, full of entities and of attempts at script) goes through the whole pipeline:
it is prepared, or refused with a plain-words FeedError, never an unhandled exception.
Whatever HTML comes out can run nothing."""

import re

import pytest

from budbringer.lib.urls import canonical_url
from budbringer.sources.parsing import FeedError
from budbringer.sources.pipeline import prepare_feed
from tests.conftest import feedparser_corpus
from tests.sources.unsafe_html import unsafe_parts

CORPUS = feedparser_corpus()
FEED_URL = "https://example.org/feeds/corpus.xml"

# Well-formed files we refuse on purpose: they declare XML entities.
REFUSED_BY_DESIGN = {
    "wellformed/rdf/doctype_contains_entity_decl.xml",
    "wellformed/rss/entity_in_doctype.xml",
}
# Microsoft's Channel Definition Format (1997): a channel without items is not a feed to us.
NOT_FEEDS_TO_US = "wellformed/cdf/"
PLAIN_WORDS = re.compile(r"^(The|This) [^\n]{5,200}\.$")


def corpus_files():
    if not CORPUS.is_dir():
        reason = f"the feedparser corpus is not at {CORPUS}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="corpus-missing")]
    # LICENSE and SOURCE too: they are no feeds and must be refused as such.
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file())
    return [pytest.param(path, id=str(path.relative_to(CORPUS))) for path in files]


@pytest.mark.parametrize("path", corpus_files())
def test_corpus_file_is_prepared_or_refused_in_plain_words(path):
    name = path.relative_to(CORPUS).as_posix()
    try:
        prepared = prepare_feed(path.read_bytes(), url=FEED_URL)
    except FeedError as error:
        assert PLAIN_WORDS.match(error.message), error.message
        if name.startswith("wellformed/") and not name.startswith(NOT_FEEDS_TO_US):
            assert name in REFUSED_BY_DESIGN, f"a well-formed feed was refused: {error.message}"
        return

    assert name not in REFUSED_BY_DESIGN
    # Every entry's HTML, kept as an item or not, is safe to show.
    for entry in prepared.feed.entries:
        assert unsafe_parts(entry.html) == [], entry.html
        assert len(entry.title) <= 300 and "\n" not in entry.title
        assert len(entry.summary) <= 5000
        assert entry.published is None or entry.published.utcoffset().total_seconds() == 0
    for item in prepared.items:
        assert canonical_url(item.url) == item.canonical_url
        assert item.image_url == "" or item.image_url.startswith(("http://", "https://"))
    assert len({item.canonical_url for item in prepared.items}) == len(prepared.items)
    assert prepared.skipped == len(prepared.feed.entries) - len(prepared.items)
