"""Page views reuse the organisation's fitted text index until new items arrive."""

from django.utils import timezone

from budbringer.relevance import service
from budbringer.relevance.engine import StemmedTfidf
from budbringer.relevance.models import RankerState
from tests.conftest import make_item


def test_the_text_index_is_fitted_again_only_when_items_change(cast, monkeypatch):
    service._rankers.clear()
    fits = []
    real_fit = StemmedTfidf.fit

    def counted_fit(self, texts, languages):
        fits.append(len(texts))
        return real_fit(self, texts, languages)

    monkeypatch.setattr(StemmedTfidf, "fit", counted_fit)

    service.picks_for(cast.bob)
    service.picks_for(cast.bob)
    service.picks_for(cast.sara)
    assert len(fits) == 1

    make_item(cast.nordlys, "Hydrogen ferries in the fjords")
    service.picks_for(cast.bob)
    assert len(fits) == 2
    assert fits[1] == fits[0] + 1


def test_retrained_weights_replace_the_kept_ranker(cast):
    service._rankers.clear()
    with service.shared_ranker(cast.nordlys) as before:
        pass
    RankerState.objects.create(
        organisation=cast.nordlys, weights={"fresh": 9.0}, trained_at=timezone.now(), events_used=60
    )
    with service.shared_ranker(cast.nordlys) as after:
        assert after is not before
        assert after.weights["fresh"] == 9.0
    with service.shared_ranker(cast.havn) as other:
        assert other is not after
