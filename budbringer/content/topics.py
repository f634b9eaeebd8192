"""Which of an organisation's topics an item is about, from the keywords admins give each topic.

A keyword is a word or a phrase. It matches the words of a text across inflections in the
five languages we stem with Snowball: English, Swedish, Norwegian (Bokmål and Nynorsk share
one stemmer), Danish and Dutch. Two words match, in a language L, when either word or its
L-stem equals the other word or its L-stem: "kundene" and "kunde" both stem to "kund" in
Norwegian, and Swedish "vätgasen" stems to "vätgas", the keyword itself (Snowball cuts
"vätgas" alone down to "vätg", so comparing stems only would miss it).

1. A text in one of the five languages is stemmed with that language's stemmer only, and
   so is each keyword. Mixing stemmers across languages would let the Swedish stem of
   "intelligens" ("intel") match the company Intel in an English text.
2. A text in another or an unknown language is compared with each of the five stemmers in
   turn, and a keyword matches if it does so in any of them.
3. Keywords shorter than 4 letters ("AI", "IT", "5G") are not stemmed and match only the
   same word: "ai" never matches "said" or "ais", "it" never matches "its".
4. A phrase matches the same words in a row, each in any inflection: "fuel cell" matches
   "fuel cells", "offshore wind" matches "offshore wind farms".
5. Swedish, Norwegian, Danish and Dutch glue words together ("vätgasbilar",
   "waterstofauto"). In texts in those languages (or an unknown one) a keyword word of at
   least 5 letters also matches as the first part of a longer word, when at least 3 letters
   follow it. Shorter keywords and shorter tails would turn every inflection or prefix into
   a match ("energi" must not match "energisk", energetic). Only the first part is matched:
   the last part of a compound is too often a different sense ("kraft" in "drivkraft").
   English texts get no compound matching ("solar" must not match "solarium").
"""

import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import snowballstemmer

# ISO 639-1 code -> Snowball algorithm.
STEMMED_LANGUAGES = {
    "en": "english",
    "sv": "swedish",
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "da": "danish",
    "nl": "dutch",
}
_ALGORITHMS = tuple(dict.fromkeys(STEMMED_LANGUAGES.values()))
_COMPOUNDING = frozenset({"swedish", "norwegian", "danish", "dutch"})

MIN_STEMMED_LETTERS = 4
MIN_COMPOUND_HEAD = 5
MIN_COMPOUND_TAIL = 3

# Letters and digits in any script, without the underscore \w also allows.
_WORD = re.compile(r"[^\W_]+")

# Stems are remembered per algorithm; feeds repeat the same few thousand words. Emptied
# when full rather than evicted one by one: refilling costs a few milliseconds.
_STEM_CACHE_SIZE = 200_000


class _Stems:
    """Words seen so far and their stems, both ways."""

    def __init__(self) -> None:
        self.stem: dict[str, str] = {}
        self.words: dict[str, set[str]] = {}


class _Stemmer:
    """A Snowball stemmer with a cache, safe to share between threads (PyStemmer's are not)."""

    def __init__(self, algorithm: str):
        self._stemmer = snowballstemmer.stemmer(algorithm)
        self._lock = threading.Lock()
        self._known = _Stems()

    def learn(self, words: AbstractSet[str]) -> _Stems:
        """The cache, with the stems of `words` in it."""
        known = self._known
        if known.stem.keys() >= words:
            return known
        with self._lock:
            known = self._known
            missing = list(words - known.stem.keys())
            if len(known.stem) + len(missing) > _STEM_CACHE_SIZE:
                known = _Stems()
                missing = list(words)
            for word, stem in zip(missing, self._stemmer.stemWords(missing), strict=True):
                known.stem[word] = stem
                known.words.setdefault(stem, set()).add(word)
            self._known = known
        return known


_STEMMERS = {algorithm: _Stemmer(algorithm) for algorithm in _ALGORITHMS}


def words_of(text: str) -> list[str]:
    """The words of `text`, NFKC-normalised and case-folded, in order."""
    words = []
    # Most words stand between spaces with no punctuation; the regular expression is only
    # run on the rest, which makes this twice as fast as running it on the whole text.
    for chunk in unicodedata.normalize("NFKC", text).casefold().split():
        if chunk.isalnum():
            words.append(chunk)
        else:
            words.extend(_WORD.findall(chunk))
    return words


def parse_keywords(text: str) -> list[str]:
    """The keywords of a topic: one per line, spaces tidied, blank lines and repeats dropped.

    Lines without a single letter or digit are dropped too, as they could never match.
    """
    keywords = []
    seen = set()
    for line in text.splitlines():
        keyword = " ".join(line.split())
        folded = " ".join(words_of(keyword))
        if folded and folded not in seen:
            seen.add(folded)
            keywords.append(keyword)
    return keywords


@dataclass(frozen=True)
class _Phrase:
    topic_id: int
    words: tuple[str, ...]


class TopicMatcher:
    """The topics of one organisation, compiled once and matched against many texts."""

    def __init__(self, single: dict[str, set[int]], phrases: list[_Phrase]):
        # Topic ids per one-word keyword, and the keywords of two words or more.
        self._single = single
        self._phrases = phrases
        words = set(single) | {word for phrase in phrases for word in phrase.words}
        self._exact = frozenset(word for word in words if len(word) < MIN_STEMMED_LETTERS)
        stemmed = words - self._exact
        # Per algorithm: each keyword word's own forms ({word, stem}), and which keyword
        # words each of those forms stands for.
        self._forms: dict[str, dict[str, frozenset[str]]] = {}
        self._by_form: dict[str, dict[str, set[str]]] = {}
        for algorithm in _ALGORITHMS:
            stem = _STEMMERS[algorithm].learn(stemmed).stem
            # A stem cut down below 3 letters would match too much; the word stands alone.
            forms = {
                word: frozenset({word, stem[word]} if len(stem[word]) >= 3 else {word})
                for word in stemmed
            }
            by_form: dict[str, set[str]] = {}
            for word, word_forms in forms.items():
                for form in word_forms:
                    by_form.setdefault(form, set()).add(word)
            self._forms[algorithm] = forms
            self._by_form[algorithm] = by_form
        self._heads: dict[str, list[str]] = {}
        for word in stemmed:
            if len(word) >= MIN_COMPOUND_HEAD:
                self._heads.setdefault(word[:MIN_COMPOUND_HEAD], []).append(word)

    @classmethod
    def compile(cls, rules: Iterable[tuple[int, str]]) -> "TopicMatcher":
        """From (topic id, keywords text) pairs, the keywords one per line."""
        single: dict[str, set[int]] = {}
        phrases = []
        for topic_id, text in rules:
            for keyword in parse_keywords(text):
                words = tuple(words_of(keyword))
                if len(words) == 1:
                    single.setdefault(words[0], set()).add(topic_id)
                else:
                    phrases.append(_Phrase(topic_id, words))
        return cls(single, phrases)

    def topics_for(self, text: str, language: str = "") -> set[int]:
        """The ids of the topics whose keywords occur in `text`, written in `language`.

        `language` is an ISO 639-1 code; one we do not stem, or "", means every stemmer is
        tried.
        """
        tokens = words_of(text)
        if not tokens:
            return set()
        code = language.lower().replace("_", "-").split("-")[0]
        algorithm = STEMMED_LANGUAGES.get(code)
        algorithms = (algorithm,) if algorithm else _ALGORITHMS
        unique = set(tokens)
        stems_of = {name: _STEMMERS[name].learn(unique) for name in algorithms}

        # 1. Which keyword words occur anywhere, in any inflection (set operations in C).
        found = unique.intersection(self._exact)
        for name, known in stems_of.items():
            by_form = self._by_form[name]
            forms = unique.union(map(known.stem.__getitem__, unique))
            for form in forms.intersection(by_form):
                found |= by_form[form]
        compounding = algorithm is None or algorithm in _COMPOUNDING
        compounds = self._compounds(unique) if compounding and self._heads else {}
        found.update(compounds)

        # 2. One-word keywords are now decided; a phrase whose every word occurs somewhere
        # is looked for as those words in a row.
        topics: set[int] = set()
        for word in found.intersection(self._single):
            topics |= self._single[word]
        candidates = [
            phrase
            for phrase in self._phrases
            if phrase.topic_id not in topics and found.issuperset(phrase.words)
        ]
        if candidates:
            occurrences = _Occurrences(tokens, unique, stems_of, compounds)
            for phrase in candidates:
                if phrase.topic_id not in topics and occurrences.in_a_row(
                    [self._matching(word, occurrences) for word in phrase.words]
                ):
                    topics.add(phrase.topic_id)
        return topics

    def _compounds(self, unique: set[str]) -> dict[str, set[str]]:
        """Keyword word -> the tokens of the text that begin with it as a compound's head."""
        compounds: dict[str, set[str]] = {}
        shortest = MIN_COMPOUND_HEAD + MIN_COMPOUND_TAIL
        for token in unique:
            if len(token) < shortest:
                continue
            for word in self._heads.get(token[:MIN_COMPOUND_HEAD], ()):
                if len(token) - len(word) >= MIN_COMPOUND_TAIL and token.startswith(word):
                    compounds.setdefault(word, set()).add(token)
        return compounds

    def _matching(self, word: str, occurrences: "_Occurrences") -> set[str]:
        """The tokens of the text that match the keyword word `word`."""
        if word in self._exact:
            return {word}
        matching = set(occurrences.compounds.get(word, ()))
        for name in occurrences.stems_of:
            matching |= occurrences.tokens_with_forms(name, self._forms[name][word])
        return matching


class _Occurrences:
    """Where a text's words are, worked out only for texts that may hold a phrase."""

    def __init__(
        self,
        tokens: list[str],
        unique: set[str],
        stems_of: dict[str, _Stems],
        compounds: dict[str, set[str]],
    ):
        self.unique = unique
        self.stems_of = stems_of
        self.compounds = compounds
        # Tokens hold no spaces, so words in a row are a substring of the spaced text.
        self.spaced = f" {' '.join(tokens)} "

    def tokens_with_forms(self, algorithm: str, forms: frozenset[str]) -> set[str]:
        """The tokens that are, or stem to, one of `forms`."""
        words = self.stems_of[algorithm].words
        matching = self.unique.intersection(forms)
        for form in forms:
            if form in words:
                matching |= self.unique.intersection(words[form])
        return matching

    def in_a_row(self, matching: list[set[str]]) -> bool:
        """Whether a token of matching[0], one of matching[1], ... occur one after another."""
        return any(f" {' '.join(words)} " in self.spaced for words in itertools.product(*matching))
