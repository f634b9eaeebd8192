import pytest

from budbringer.demo.loader import load_demo


@pytest.fixture
def demo(db):
    """The demo organisation, loaded as `budbringer demo` loads it."""
    return load_demo()
