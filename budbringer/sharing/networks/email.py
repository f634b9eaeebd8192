from .base import Network, query


class Email(Network):
    def share_url(self, *, link: str, text: str, title: str) -> str:
        # RFC 6068: no recipient, so the person picks one in their own mail program.
        return "mailto:?" + query({"subject": title, "body": f"{text}\n\n{link}".strip()})


NETWORK = Email(
    slug="email",
    label="E-mail",
    utm_medium="email",
    max_text_length=None,
    dialog_sources=("mailto:",),
)
