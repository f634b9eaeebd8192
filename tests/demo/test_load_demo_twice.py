from django.contrib.auth.models import User

from budbringer.accounts.models import Department, Organisation, Person
from budbringer.content.models import Item, ShareText, Topic
from budbringer.demo.loader import load_demo
from budbringer.links.models import Click, TrackedLink, VisitorSalt
from budbringer.sharing.models import Share
from budbringer.sources.models import Source, SourceList

MODELS = [
    Organisation, Department, User, Person, Topic, SourceList, Source,
    Item, ShareText, Share, TrackedLink, Click, VisitorSalt,
]  # fmt: skip


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_changes_nothing(db):
    first = load_demo()
    after_first = _counts()
    assert after_first["Person"] == 40
    assert after_first["Click"] > 0

    second = load_demo()

    assert second.pk == first.pk
    assert _counts() == after_first
