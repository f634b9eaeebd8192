from .base import Network, query


class Facebook(Network):
    def share_url(self, *, link: str, text: str, title: str) -> str:
        # Facebook's sharer takes only the link; people write their own words there.
        return "https://www.facebook.com/sharer/sharer.php?" + query({"u": link})


NETWORK = Facebook(
    slug="facebook",
    label="Facebook",
    utm_medium="social",
    max_text_length=None,
    dialog_sources=("https://*.facebook.com",),
)
