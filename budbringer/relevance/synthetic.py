"""A SYNTHETIC company for the ranker's tests and offline replay: nothing here is real data.

make_company(people, items, days, seed) returns (items, people, events) for the engine:

1. Six latent themes (think hydrogen, software, finance, climate, people, customers). Each
   item has a theme mix (mostly one theme, Dirichlet 0.3), drawn around the main theme of
   its source; each person has theme preferences: 60 % their own (Dirichlet 0.5) and 40 %
   their department's, so departments have correlated tastes.
2. Languages: items are written in their source's language (English about half, then
   Swedish, Norwegian Bokmål, Danish, Dutch); most people read English and one native
   language, some only their native one.
3. Texts: 30 words from per-theme vocabularies in the item's language (invented words,
   with the language's inflection endings so stemming has work, plus some theme words
   shared by all languages, like names) mixed with everyday filler words (a quarter of
   the words). Text similarity therefore carries the theme signal.
4. Lists and topics: one list and one topic per theme; sources sit in their theme's list,
   and a few company sources also in the company list (id 100). An item has the topic of
   every theme that makes up more than 35 % of it. Follows partly reflect taste: a person
   follows the list of their favourite theme with probability 0.6 and any other with 0.1.
5. Engagement, day by day: each person is active on a day with probability 0.3 and looks
   at the readable items of the last seven days they have not touched yet. The known
   ground truth is utility = 4 * preference . theme mix + 1.5 * department taste . mix
   + item quality + 0.3 * log(1 + engagements so far) - 0.4 * age in days + noise
   (normal, sd 0.5); the person opens the item
   with probability sigmoid(utility - 4.5), then clicks (0.5), shares (0.15) or asks for
   more like it (0.05); items with low utility are sometimes dismissed.

Events come back sorted by time; item and person ids start at 1.
"""

import math

import numpy as np

from budbringer.relevance.engine import Event, ItemData, PersonData

THEMES = 6
LANGUAGES = ("en", "sv", "nb", "da", "nl")
ITEM_LANGUAGE_SHARE = (0.5, 0.14, 0.12, 0.11, 0.13)
COMPANY_LIST = 100
DEPARTMENTS = 6
_ENDINGS = {
    "en": ("", "", "s", "ing", "ed"),
    "sv": ("", "", "en", "er", "arna"),
    "nb": ("", "", "en", "er", "ene"),
    "da": ("", "", "en", "er", "erne"),
    "nl": ("", "", "en", "s", "de"),
}
_SYLLABLES = {
    "en": "ba be bo tra ker son mi lan gre hol ster pen",
    "sv": "bå ke lö sta ren vik sjö fal tor gen dal mä",
    "nb": "bø ka ste ren fjo dal hei sko vik gar lun mø",
    "da": "bæ ko sted ren hav lund by gaard vej sø kir mo",
    "nl": "bo ke dijk van wa ter ven hui stra mo lan ge",
}
_WORDS_PER_THEME = 40
_SHARED_WORDS_PER_THEME = 8
_FILLERS = 40
_TEXT_WORDS = 30
DAY = 86_400.0


def _invent(rng: np.random.Generator, syllables: list[str], count: int, taken: set[str]) -> list:
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(syllables, size=rng.integers(2, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


def _vocabularies(rng: np.random.Generator) -> tuple[dict, dict, list]:
    taken: set[str] = set()
    themed = {}
    fillers = {}
    for language in LANGUAGES:
        syllables = _SYLLABLES[language].split()
        themed[language] = [_invent(rng, syllables, _WORDS_PER_THEME, taken) for _ in range(THEMES)]
        fillers[language] = _invent(rng, syllables, _FILLERS, taken)
    shared = [
        _invent(rng, ["zan", "tek", "ox", "qua", "vir", "lux"], _SHARED_WORDS_PER_THEME, taken)
        for _ in range(THEMES)
    ]
    return themed, fillers, shared


def _text(rng: np.random.Generator, mix: np.ndarray, language: str, vocabularies: tuple) -> str:
    themed, fillers, shared = vocabularies
    words = []
    for _ in range(_TEXT_WORDS):
        if rng.random() < 0.25:
            words.append(str(rng.choice(fillers[language])))
            continue
        theme = rng.choice(THEMES, p=mix)
        if rng.random() < 0.15:
            words.append(str(rng.choice(shared[theme])))
            continue
        # Zipf-like: a theme's first words are its most common.
        vocabulary = themed[language][theme]
        index = min(int(rng.zipf(1.3)) - 1, len(vocabulary) - 1)
        words.append(vocabulary[index] + str(rng.choice(_ENDINGS[language])))
    return " ".join(words)


def make_company(
    people: int = 400, items: int = 1500, days: int = 60, seed: int = 0, start: float = 0.0
) -> tuple[list[ItemData], list[PersonData], list[Event]]:
    """A SYNTHETIC company: items, people and their engagement over `days` days."""
    rng = np.random.default_rng(seed)
    vocabularies = _vocabularies(rng)

    # Sources: a main theme, a language, some of them company sources.
    sources = max(12, items // 40)
    source_theme = rng.integers(THEMES, size=sources)
    source_language = rng.choice(len(LANGUAGES), size=sources, p=ITEM_LANGUAGE_SHARE)
    source_company = rng.random(sources) < 0.12

    item_source = rng.integers(sources, size=items)
    mix = rng.dirichlet(np.full(THEMES, 0.3), size=items)
    mix = 0.5 * mix + 0.5 * np.eye(THEMES)[source_theme[item_source]]
    quality = rng.normal(0, 0.7, size=items)
    published = start + np.sort(rng.uniform(0, days * DAY, size=items))
    cluster = np.zeros(items, dtype=np.int64)
    item_list: list[ItemData] = []
    for i in range(items):
        source = item_source[i]
        language = LANGUAGES[source_language[source]]
        text = _text(rng, mix[i], language, vocabularies)
        # One item in twenty repeats a recent one (a press release in two feeds).
        if i > 10 and rng.random() < 0.05:
            original = int(rng.integers(max(0, i - 10), i))
            cluster[i] = cluster[original] or original + 1
            cluster[original] = cluster[i]
            mix[i] = mix[original]
            quality[i] = quality[original]
            text = item_list[original].text
            language = item_list[original].language
        lists = {int(source_theme[source]) + 1} | (
            {COMPANY_LIST} if source_company[source] else set()
        )
        item_list.append(
            ItemData(
                id=i + 1,
                text=text,
                language=language,
                source_id=int(source) + 1,
                list_ids=frozenset(lists),
                topic_ids=frozenset(int(t) + 1 for t in np.flatnonzero(mix[i] > 0.35)),
                published_at=float(published[i]),
                company=bool(source_company[source]),
            )
        )
    # Clusters were set on originals after they were built.
    item_list = [
        ItemData(**{**item.__dict__, "cluster": int(cluster[k])})
        for k, item in enumerate(item_list)
    ]

    department = rng.integers(DEPARTMENTS, size=people)
    department_taste = rng.dirichlet(np.full(THEMES, 0.5), size=DEPARTMENTS)
    preference = 0.6 * rng.dirichlet(np.full(THEMES, 0.5), size=people)
    preference += 0.4 * department_taste[department]
    person_list: list[PersonData] = []
    for p in range(people):
        native = str(rng.choice(LANGUAGES[1:]))
        reads = {"en", native} if rng.random() < 0.85 else {native}
        if rng.random() < 0.1:
            reads = {"en"}
        favourite = int(preference[p].argmax())
        lists = {t + 1 for t in range(THEMES) if rng.random() < (0.6 if t == favourite else 0.1)}
        if rng.random() < 0.3:
            lists.add(COMPANY_LIST)
        topics = {t + 1 for t in range(THEMES) if rng.random() < (0.4 if t == favourite else 0.05)}
        person_list.append(
            PersonData(
                id=p + 1,
                languages=frozenset(reads),
                list_ids=frozenset(lists),
                topic_ids=frozenset(topics),
                department_id=int(department[p]) + 1,
            )
        )

    reads = np.array(
        [[language in person.languages for language in LANGUAGES] for person in person_list]
    )
    item_language = np.array([LANGUAGES.index(item.language) for item in item_list])
    truth = 4 * preference @ mix.T + 1.5 * department_taste[department] @ mix.T + quality
    touched = np.zeros((people, items), dtype=bool)
    engagements = np.zeros(items)
    events: list[Event] = []
    for day in range(days):
        day_start = start + day * DAY
        recent = np.flatnonzero((published < day_start + DAY) & (published >= day_start - 6 * DAY))
        if recent.size == 0:
            continue
        active = np.flatnonzero(rng.random(people) < 0.3)
        visible = reads[active][:, item_language[recent]] & ~touched[np.ix_(active, recent)]
        age_days = np.clip(day_start - published[recent], 0, None) / DAY
        utility = truth[np.ix_(active, recent)] + 0.3 * np.log1p(engagements[recent])
        utility = utility - 0.4 * age_days
        utility = utility + rng.normal(0, 0.5, size=utility.shape)
        opens = visible & (rng.random(utility.shape) < 1 / (1 + np.exp(-(utility - 4.5))))
        dismisses = visible & ~opens & (utility < 2.0) & (rng.random(utility.shape) < 0.03)
        for kind, chosen in (("opened", opens), ("dismissed", dismisses)):
            for a, r in zip(*np.nonzero(chosen), strict=True):
                person, item = int(active[a]), int(recent[r])
                at = max(day_start, published[item]) + rng.uniform(60, 3600)
                touched[person, item] = True
                events.append(Event(person + 1, item + 1, kind, float(at)))
                if kind != "opened":
                    continue
                engagements[item] += 1
                for follow, chance in (
                    ("clicked", 0.5),
                    ("shared", 0.15),
                    ("more_like_this", 0.05),
                ):
                    if rng.random() < chance:
                        events.append(Event(person + 1, item + 1, follow, float(at) + 30))
                        engagements[item] += 1
    events.sort(key=lambda event: (event.at, event.person_id, event.item_id))
    return item_list, person_list, events


def describe(items: list[ItemData], people: list[PersonData], events: list[Event]) -> str:
    """One line about a synthetic company, for reports."""
    kinds: dict[str, int] = {}
    for event in events:
        kinds[event.kind] = kinds.get(event.kind, 0) + 1
    counts = ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
    span = (max(e.at for e in events) - min(e.at for e in events)) / DAY if events else 0
    return (
        f"SYNTHETIC company: {len(people):,} people, {len(items):,} items, "
        f"{len(events):,} events over {math.ceil(span)} days ({counts})"
    )
