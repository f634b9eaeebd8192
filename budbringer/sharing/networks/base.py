"""What every social network module provides: a name and a share-intent URL."""

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class Network:
    slug: str
    label: str
    # UTM medium added to tracked links shared here.
    utm_medium: str
    # Longest text the network accepts in its share dialog (None: no text field).
    max_text_length: int | None
    # Where its share dialog may lead, sign-in pages included, as CSP sources: the share
    # button's form ends there, and the item page's form-action must allow each hop.
    dialog_sources: tuple[str, ...]

    def share_url(self, *, link: str, text: str, title: str) -> str:
        raise NotImplementedError


def query(params: dict[str, str]) -> str:
    """Encode with %20 for spaces: every network's dialog decodes it, not all decode '+'."""
    return urlencode(params, quote_via=quote)


def fit(text: str, limit: int | None, reserved: int = 0) -> str:
    """Cut text to what the network accepts, leaving room for the link."""
    if limit is None:
        return text
    room = limit - reserved
    if len(text) <= room:
        return text
    return text[: max(room - 1, 0)].rstrip() + "…"
