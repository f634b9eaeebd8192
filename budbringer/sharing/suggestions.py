"""Which suggested words to offer for a share."""

from budbringer.accounts.models import Person
from budbringer.content.models import Item


def suggested_text(item: Item, network: str, person: Person) -> str:
    """Best text for this network in the person's language, falling back step by step.

    Order: network-specific before generic, within each the person's interface language,
    then the languages they read, then the item's own; the title when nothing is written.
    """
    texts = {(text.network, text.language): text.text for text in item.share_texts.all()}
    languages = [person.interface_language, *person.languages, item.language]
    for wanted_network in (network, ""):
        for language in languages:
            if (wanted_network, language) in texts:
                return texts[(wanted_network, language)]
    return item.title
