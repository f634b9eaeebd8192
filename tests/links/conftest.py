import pytest

from budbringer.links import fastpath, visitors


@pytest.fixture(autouse=True)
def _fresh_link_caches():
    """Cached links and salts belong to one test's database, never to the next."""
    fastpath.clear_caches()
    visitors._salt_cache.clear()
    yield
    fastpath.writer.stop()  # its database connection must not outlive the test database
    fastpath.clear_caches()
    visitors._salt_cache.clear()
