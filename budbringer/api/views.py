"""The admin page where an organisation's API tokens are made and revoked."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from budbringer.accounts.access import admin_required
from budbringer.api.models import ApiToken
from budbringer.api.tokens import issue_token, revoke_token
from budbringer.lib.names import validate_one_line


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        validators=[validate_one_line],
        help_text=gettext_lazy("What uses it, e.g. “CRM sync”."),
    )


def get_token_for(request: HttpRequest, token_id: int) -> ApiToken:
    """A token of the signed-in admin's organisation, or 404."""
    return get_object_or_404(
        ApiToken.objects.in_organisation(request.person.organisation), pk=token_id
    )


@never_cache  # the page may carry a new secret, which no cache may keep
@admin_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    organisation = request.person.organisation
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        # Shown in this answer only; a redirect would have to carry it somewhere.
        _token, new_secret = issue_token(organisation, form.cleaned_data["name"], request.person)
        form = TokenForm()
    tokens = ApiToken.objects.in_organisation(organisation).select_related("created_by")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "new_secret": new_secret},
    )


@require_POST
@admin_required
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_token_for(request, token_id)
    revoke_token(token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens")
