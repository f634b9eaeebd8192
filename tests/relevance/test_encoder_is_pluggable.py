import numpy as np

from budbringer.relevance.engine import Ranker

from .engine_data import NOW, event, item, person


class FruitEncoder:
    """Two dimensions: how much a text is about apples, and about pears."""

    def __init__(self):
        self.fitted_on = None

    def fit(self, texts, languages):
        self.fitted_on = list(texts)

    def transform(self, texts, languages):
        rows = np.array([[t.count("apple") + 0.01, t.count("pear")] for t in texts], float)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_a_custom_encoder_decides_text_similarity():
    # Word for word, item 3 is the one like item 1; the encoder says item 2 is.
    items = [
        item(1, "apple harvest report", age_days=5),
        item(2, "an apple a day", age_days=1),
        item(3, "pear harvest report", age_days=1),
    ]
    encoder = FruitEncoder()
    ranker = Ranker(weights={"similar": 1.0}, encoder=encoder)
    scores = ranker.score(items, [person(1)], [event(1, 1, "opened", 1)], NOW)[0]
    assert encoder.fitted_on == [it.text for it in items]
    assert scores[1] > 0.99
    assert scores[2] < 0.1
    default = Ranker(weights={"similar": 1.0}).score(
        items, [person(1)], [event(1, 1, "opened", 1)], NOW
    )[0]
    assert default[2] > default[1]
