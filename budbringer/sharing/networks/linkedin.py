from .base import Network, fit, query


class LinkedIn(Network):
    def share_url(self, *, link: str, text: str, title: str) -> str:
        # The feed composer takes text (with the link in it); share-offsite would drop the text.
        body = fit(text, self.max_text_length, reserved=len(link) + 1)
        return "https://www.linkedin.com/feed/?" + query(
            {"shareActive": "true", "text": f"{body} {link}".strip()}
        )


NETWORK = LinkedIn(
    slug="linkedin",
    label="LinkedIn",
    utm_medium="social",
    max_text_length=3000,
    dialog_sources=("https://*.linkedin.com",),
)
