from .base import Network, fit, query

# X counts every link as 23 characters, whatever its length.
_LINK_WEIGHT = 23


class X(Network):
    def share_url(self, *, link: str, text: str, title: str) -> str:
        body = fit(text, self.max_text_length, reserved=_LINK_WEIGHT + 1)
        return "https://x.com/intent/post?" + query({"text": body, "url": link})


NETWORK = X(
    slug="x",
    label="X",
    utm_medium="social",
    max_text_length=280,
    dialog_sources=("https://x.com", "https://*.x.com"),
)
