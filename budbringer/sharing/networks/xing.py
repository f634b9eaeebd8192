from .base import Network, query


class Xing(Network):
    def share_url(self, *, link: str, text: str, title: str) -> str:
        return "https://www.xing.com/spi/shares/new?" + query({"url": link})


NETWORK = Xing(
    slug="xing",
    label="Xing",
    utm_medium="social",
    max_text_length=None,
    dialog_sources=("https://*.xing.com",),
)
