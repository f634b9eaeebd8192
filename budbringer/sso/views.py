"""Single sign-on pages: starting a sign-in, the provider's callback, and the admin's
sign-in settings. Refusals are one clear page and one log line without personal data."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from budbringer.accounts.access import admin_required
from budbringer.accounts.models import Organisation
from budbringer.sso import discovery
from budbringer.sso.forms import OidcConnectionForm, SignInPolicyForm
from budbringer.sso.mapping import SignInRefused, person_signing_in
from budbringer.sso.models import OidcConnection, SamlConnection, SignInPolicy
from budbringer.sso.oidc import flow
from budbringer.sso.oidc.provider import ProviderError, discover

log = logging.getLogger(__name__)

# What the person reads for each kind of failed callback; the log line has the detail.
_UNREACHABLE = gettext_lazy(
    "Your organisation's sign-in service could not be reached. Try again soon."
)


def refused(request, message: str, status: int = 403):
    return render(request, "sso/refused.html", {"message": message}, status=status)


@require_GET
def login_for_organisation(request, slug: str):
    """``/login/<slug>``: straight to the organisation's provider."""
    organisation = Organisation.objects.filter(slug=slug).first()
    start = organisation and discovery.start_url_for(
        organisation, discovery.safe_next(request, request.GET.get("next", ""))
    )
    if not start:
        # The same page for a slug that names no organisation: it tells nobody which exist.
        return refused(
            request,
            _(
                "There is no single sign-on at this address. Sign in with your e-mail "
                "address and password instead."
            ),
            status=404,
        )
    return redirect(start)


@require_GET
def oidc_start(request, slug: str):
    connection = get_object_or_404(OidcConnection, organisation__slug=slug, enabled=True)
    try:
        url = flow.begin(
            request.session, connection, discovery.safe_next(request, request.GET.get("next", ""))
        )
    except ProviderError as error:
        log.warning(
            "OIDC sign-in not started for organisation %s: %s",
            connection.organisation_id,
            error.reason,
        )
        return refused(request, _UNREACHABLE, status=502)
    return redirect(url)


@require_GET
def oidc_callback(request):
    try:
        finished = flow.finish(request.session, request.GET)
    except flow.FlowRefused as error:
        log.warning("OIDC sign-in refused: %s", error.reason)
        if error.reason in ("unknown_state", "expired_state"):
            message = _(
                "This sign-in link has expired or was already used. Start again from the "
                "sign-in page."
            )
        elif error.reason == "provider_error":
            message = _("Your organisation's sign-in service did not sign you in.")
        elif error.reason.startswith("provider:"):
            message = _UNREACHABLE
        else:
            message = _("The sign-in could not be verified. Start again from the sign-in page.")
        return refused(request, message)
    connection, claims = finished.connection, finished.claims
    organisation = connection.organisation
    if claims.get("email_verified") is False:
        log.warning("OIDC sign-in refused for organisation %s: email_not_verified", organisation.pk)
        return refused(request, _("Your identity provider has not verified your e-mail address."))
    try:
        person = person_signing_in(
            organisation,
            connection,
            str(claims.get("email") or ""),
            str(claims.get("name") or ""),
            claims,
        )
    except SignInRefused as error:
        log.warning("OIDC sign-in refused for organisation %s: mapping", organisation.pk)
        return refused(request, str(error))
    # Django sets last_login on login(): the person is no longer "invited".
    login(request, person.user, backend="django.contrib.auth.backends.ModelBackend")
    log.info("OIDC sign-in for organisation %s, person %s", organisation.pk, person.pk)
    return redirect(finished.next_url or settings.LOGIN_REDIRECT_URL)


@admin_required
def sign_in_settings(request):
    """The admin's page: the OpenID Connect connection, test it, and require SSO."""
    organisation = request.person.organisation
    connection = OidcConnection.objects.filter(organisation=organisation).first()
    policy = SignInPolicy.objects.filter(organisation=organisation).first()
    action = request.POST.get("action") if request.method == "POST" else None
    oidc_form = OidcConnectionForm(
        request.POST if action in ("oidc", "test") else None,
        instance=connection,
        organisation=organisation,
    )
    policy_form = SignInPolicyForm(
        request.POST if action == "policy" else None,
        instance=policy,
        organisation=organisation,
    )
    tested, test_error = None, None
    if action == "oidc" and oidc_form.is_valid():
        oidc_form.save()
        messages.success(request, _("The OpenID Connect settings are saved."))
        return redirect("sign_in_settings")
    if action == "policy" and policy_form.is_valid():
        policy_form.save()
        messages.success(request, _("The sign-in policy is saved."))
        return redirect("sign_in_settings")
    if action == "test":
        issuer = request.POST.get("issuer", "").strip() or (connection and connection.issuer)
        try:
            tested = discover(issuer, fresh=True) if issuer else None
            if tested is None:
                test_error = _("Give the issuer URL first.")
        except ProviderError as error:
            test_error = error.message
    context = {
        "oidc_form": oidc_form,
        "policy_form": policy_form,
        "connection": connection,
        "callback_url": flow.callback_url(),
        "login_url": settings.BASE_URL + f"/login/{organisation.slug}",
        "tested": tested,
        "test_error": test_error,
        "domains": organisation.email_domains.all(),
        "saml": SamlConnection.objects.filter(organisation=organisation).first(),
    }
    return render(request, "sso/sign_in_settings.html", context)
