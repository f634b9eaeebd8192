"""The admin page where an organisation's API tokens are made and revoked."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from budbringer.accounts.access import admin_required
from budbringer.api.models import ApiToken
from budbringer.api.tokens import issue_token, revoke_token
from budbringer.lib.bearer_token_pages import revoke_and_return, tokens_page


@never_cache  # the page may carry a new secret, which no cache may keep
@admin_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    return tokens_page(
        request,
        tokens=ApiToken.objects,
        issue=issue_token,
        template="api/tokens.html",
        help_text=gettext_lazy("What uses it, e.g. “CRM sync”."),
    )


@require_POST
@admin_required
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    return revoke_and_return(
        request,
        tokens=ApiToken.objects,
        token_id=token_id,
        revoke=revoke_token,
        message=_("The token “%(name)s” is revoked."),
        to="api_tokens",
    )
