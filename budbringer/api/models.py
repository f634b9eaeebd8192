"""API tokens: how a CRM system of one organisation reads that organisation's data."""

from django.utils.translation import gettext_lazy as _

from budbringer.lib.bearer_tokens import BearerToken


class ApiToken(BearerToken):
    """A bearer token with which a CRM system reads its organisation's data at /api/v1/."""

    class Meta(BearerToken.Meta):
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
