from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from budbringer.accounts import invitations, lockout, onboarding, passwords, tasks
from budbringer.accounts import organisation as organisations
from budbringer.accounts.access import admin_required, person_required
from budbringer.accounts.forms import (
    EmailDomainForm,
    IdentifyForm,
    NewPasswordForm,
    OrganisationSettingsForm,
    PasswordResetRequestForm,
    PersonSettingsForm,
    SignInForm,
    ThrottledPasswordChangeForm,
)
from budbringer.accounts.privacy import export_person
from budbringer.lib.http import client_ip
from budbringer.mfa import flow as mfa_flow
from budbringer.sso.discovery import sign_in_start_url, start_url_for
from budbringer.sso.policy import password_sign_in_allowed
from budbringer.timing import service as timing


@person_required()
def person_settings(request):
    form = PersonSettingsForm(request.POST or None, instance=request.person)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        translation.activate(person.interface_language)
        messages.success(request, _("Your settings are saved."))
        return redirect("person_settings")
    person = request.person
    context = {
        "form": form,
        "reachability": timing.reachability(person),
        "next_slot": timing.next_slot(person) if person.digest_cadence != "never" else None,
        "no_digests": person.digest_cadence == "never",
    }
    return render(request, "accounts/settings.html", context)


@person_required()
def person_export(request):
    """The person's own data, as a JSON download."""
    response = JsonResponse(export_person(request.person), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="budbringer-my-data.json"'
    return response


def locked_out(request, original_response=None, credentials=None):
    """What a locked sign-in gets instead of the form (axes' AXES_LOCKOUT_CALLABLE)."""
    account_locked, address_locked = lockout.what_is_locked(request, credentials)
    context = {
        "minutes": lockout.lock_minutes(),
        "address_locked": address_locked and not account_locked,
        # A new password forgets the account's failures, not the address's.
        "reset_unlocks": account_locked and not address_locked,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


class SignInView(auth_views.LoginView):
    """Two steps, no JavaScript needed: who you are (an address of an organisation with
    single sign-on goes to its provider), then the password. The password step is
    Django's sign-in, throttled by django-axes as before; a POST with a password is
    always that step."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if "password" in request.POST:
            return super().post(request, *args, **kwargs)
        identify = IdentifyForm(request.POST)
        if not identify.is_valid():
            return self.render_to_response(self.get_context_data(identify_form=identify))
        identifier = identify.cleaned_data["username"].strip()
        start = sign_in_start_url(identifier, self.get_redirect_url())
        if start:
            # A page that moves on by itself, not a redirect: the sign-in form may only
            # be sent to us (CSP form-action), and browsers hold redirects to that too.
            return render(request, "sso/continue.html", {"start_url": start})
        form = self.form_class(request, initial={"username": identifier})
        return self.render_to_response(self.get_context_data(form=form, step="password"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.method == "POST" and "password" in self.request.POST:
            context["step"] = "password"
        context.setdefault("step", "identify")
        context.setdefault("identify_form", IdentifyForm())
        return context

    def get_default_redirect_url(self):
        # A new organisation's first admin lands on the onboarding checklist.
        # Before the second factor the user is not signed in yet: ask about the one whose
        # password was right.
        user = getattr(self, "signing_in", None) or self.request.user
        person = getattr(user, "person", None)
        if person is not None and onboarding.lands_on_checklist(person):
            return reverse("onboarding_checklist")
        return super().get_default_redirect_url()

    def form_invalid(self, form):
        # The right password of someone who must use single sign-on: offer theirs.
        user = form.get_user()
        if user is not None and form.has_error(NON_FIELD_ERRORS, "sso_required"):
            start = start_url_for(user.person.organisation, self.get_redirect_url())
            return self.render_to_response(self.get_context_data(form=form, sso_start=start))
        return super().form_invalid(form)

    def form_valid(self, form):
        # The password is right; a second factor, when the person has one, comes next.
        self.signing_in = form.get_user()
        return mfa_flow.password_verified(self.request, form.get_user(), self.get_success_url())


class PasswordChangeView(auth_views.PasswordChangeView):
    """For everyone signed in. Django keeps this session signed in and signs out the others
    (their session hash no longer matches the password)."""

    form_class = ThrottledPasswordChangeForm
    template_name = "accounts/password_change.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not password_sign_in_allowed(request.user):
            message = _(
                "Your organisation signs you in with its single sign-on: there is no "
                "password to change here."
            )
            return render(request, "sso/refused.html", {"message": message}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        # Operators have no person, so no settings page: their place is the admin.
        return reverse("person_settings" if self.request.person else "admin:index")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is changed. Anywhere else you were signed in, you are signed out."),
        )
        return response


def password_reset(request):
    """Ask for a link by e-mail. The same answer whether an account has the address."""
    form = PasswordResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if passwords.claim_reset_request(email, client_ip(request)):
            tasks.send_password_reset.enqueue(email, translation.get_language())
            return redirect("password_reset_done")
        form.add_error(
            None,
            _(
                "Too many links have been asked for, for this address or from your network. "
                "Try again in an hour. A link we have sent works for %(minutes)s minutes "
                "after it was sent."
            )
            % {"minutes": passwords.link_minutes()},
        )
        status = 429
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


def password_reset_done(request):
    context = {"minutes": passwords.link_minutes()}
    return render(request, "registration/password_reset_done.html", context)


class SetNewPasswordView(auth_views.PasswordResetConfirmView):
    """The page of the link in the mail (Django's: the token moves into the session, so it
    leaks in no Referer). A link that expired, was used, or never was answers 404, like
    an expired digest link."""

    form_class = NewPasswordForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "minutes": passwords.link_minutes()}

    def render_to_response(self, context, **kwargs):
        if not self.validlink:
            kwargs["status"] = 404
        return super().render_to_response(context, **kwargs)


# The invitation's token moves into the session, as in Django's reset view, so that it
# leaks in no Referer from the page where the password is typed.
INVITATION_SESSION_KEY = "_invitation_token"


def _invited_user(uidb64: str):
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    return (
        get_user_model()
        .objects.filter(pk=pk, person__isnull=False)
        .select_related("person__organisation")
        .first()
    )


def _invitation_refused(request, user, state: str):
    """The page of a link that cannot be used: why, and what to do instead."""
    if user is not None and not user.is_active:
        reason = "deactivated"
    elif user is not None and user.last_login is not None:
        reason = "joined"
    elif state == "expired":
        reason = "expired"
    else:
        reason = "invalid"
    context = {"reason": reason, "days": settings.INVITATION_DAYS}
    return render(request, "accounts/invitation_refused.html", context, status=404)


def invitation_accept(request, uidb64: str, token: str):
    """The link in the invitation: on to single sign-on, or to choosing a password."""
    user = _invited_user(uidb64)
    state = invitations.invitation_tokens.state(user, token) if user else "invalid"
    if state != "valid" or not user.is_active:
        return _invitation_refused(request, user, state)
    start = start_url_for(user.person.organisation)
    if start is not None:
        return render(
            request, "accounts/invitation_sso.html", {"start": start, "person": user.person}
        )
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("invitation_set_password", uidb64=uidb64)


def invitation_set_password(request, uidb64: str):
    user = _invited_user(uidb64)
    token = request.session.get(INVITATION_SESSION_KEY, "")
    state = invitations.invitation_tokens.state(user, token) if user and token else "invalid"
    if state != "valid" or not user.is_active:
        return _invitation_refused(request, user, state)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        invitations.accept(user.person)
        del request.session[INVITATION_SESSION_KEY]
        # Signing in sets last_login, which makes the link void: it worked once.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Budbringer. Your password is set."))
        return redirect("home")
    context = {"form": form, "person": user.person}
    return render(request, "accounts/invitation_set_password.html", context)


def _organisation_page(request, settings_form=None, domain_form=None, status=200):
    organisation = request.person.organisation
    context = {
        "organisation": organisation,
        "form": settings_form or OrganisationSettingsForm.for_organisation(organisation),
        "domain_form": domain_form or EmailDomainForm(),
        "domains": organisation.email_domains.all(),
        "checklist": onboarding.checklist(organisation),
        "single_sign_on": start_url_for(organisation) is not None,
    }
    return render(request, "accounts/organisation.html", context, status=status)


@admin_required
def organisation_settings(request):
    """The organisation's name, the defaults for new people and its e-mail domains."""
    if request.method != "POST":
        return _organisation_page(request)
    form = OrganisationSettingsForm(request.POST)
    if form.is_valid():
        try:
            changed = organisations.change_organisation(
                request.person.organisation, **form.cleaned_data
            )
        except organisations.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The organisation's settings are saved.") if changed else _("Nothing changed."),
            )
            return redirect("organisation_settings")
    return _organisation_page(request, settings_form=form, status=400)


@require_POST
@admin_required
def organisation_domain_add(request):
    form = EmailDomainForm(request.POST)
    if form.is_valid():
        try:
            domain = organisations.add_email_domain(
                request.person.organisation, form.cleaned_data["domain"]
            )
        except organisations.OrganisationError as error:
            form.add_error("domain", str(error))
        else:
            messages.success(
                request, _("%(domain)s is added.") % {"domain": domain.domain}, "domains"
            )
            return redirect(reverse("organisation_settings") + "#domains")
    return _organisation_page(request, domain_form=form, status=400)


@require_POST
@admin_required
def organisation_domain_remove(request, domain_id: int):
    domain = organisations.remove_email_domain(request.person.organisation, domain_id)
    if domain is None:
        raise Http404("no such domain in this organisation")
    messages.success(request, _("%(domain)s is removed.") % {"domain": domain}, "domains")
    return redirect(reverse("organisation_settings") + "#domains")


@require_safe
@admin_required
def onboarding_checklist(request):
    """What a new organisation has done and what is next (derived from the data)."""
    checklist = onboarding.checklist(request.person.organisation)
    return render(request, "accounts/start.html", {"checklist": checklist})
