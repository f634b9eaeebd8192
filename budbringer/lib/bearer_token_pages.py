"""The admin pages of bearer tokens (API, SCIM): make one and see its secret once, list them,
revoke one. Each kind's views pass its own queryset, issuer and words."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy

from budbringer.lib.names import validate_one_line


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, validators=[validate_one_line]
    )

    def __init__(self, *args, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = help_text


def tokens_page(
    request: HttpRequest,
    *,
    tokens: QuerySet,
    issue: Callable,
    template: str,
    help_text: str,
    context: dict | None = None,
) -> HttpResponse:
    """The list and the form; a valid POST makes a token with ``issue(organisation, name,
    person)`` and shows its secret in this answer only (a redirect would have to carry it
    somewhere). The view must be ``never_cache``."""
    organisation = request.person.organisation
    form = TokenForm(request.POST or None, help_text=help_text)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = issue(organisation, form.cleaned_data["name"], request.person)
        form = TokenForm(help_text=help_text)
    return render(
        request,
        template,
        {
            "form": form,
            "tokens": tokens.in_organisation(organisation).select_related("created_by"),
            "new_secret": new_secret,
            **(context or {}),
        },
    )


def revoke_and_return(
    request: HttpRequest,
    *,
    tokens: QuerySet,
    token_id: int,
    revoke: Callable,
    message: str,
    to: str,
) -> HttpResponse:
    """Revoke a token of the admin's own organisation (404 for any other) and go back to
    ``to``; ``message`` takes the token's ``%(name)s``."""
    token = get_object_or_404(tokens.in_organisation(request.person.organisation), pk=token_id)
    revoke(token)
    messages.success(request, message % {"name": token.name})
    return redirect(to)
