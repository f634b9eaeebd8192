"""The security settings page, the sign-in's second step, and the organisation's policy."""

from django.contrib import messages
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budbringer.accounts.access import admin_required, person_required
from budbringer.mfa import flow, passkeys, policy, recovery, totp
from budbringer.mfa.forms import (
    CodeForm,
    ConfirmItIsYouForm,
    PasskeyNameForm,
    PolicyForm,
    TotpConfirmForm,
)
from budbringer.mfa.models import Passkey, TotpDevice

FRESH_CODES = "mfa_fresh_recovery_codes"


def _first_factor_added(request) -> None:
    """New codes with the first factor (shown once on the next page), and the app opens
    for someone the policy held on this page."""
    if recovery.remaining(request.user) == 0:
        request.session[FRESH_CODES] = recovery.regenerate(request.user)
    flow.enrolled(request)


def _settings_page(request, *, confirm_form=None, remove_form=None, status=200):
    user = request.user
    setup = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    uri = totp.provisioning_uri(setup) if setup else None
    context = {
        "device": totp.confirmed_device(user),
        "setup": setup,
        "setup_uri": uri,
        "setup_qr": totp.qr_svg(uri) if uri else None,
        "confirm_form": confirm_form or TotpConfirmForm(),
        "remove_form": remove_form or ConfirmItIsYouForm(request=request),
        "passkey_form": PasskeyNameForm(),
        "passkeys": Passkey.objects.filter(user=user),
        "recovery_remaining": recovery.remaining(user),
        "fresh_codes": request.session.pop(FRESH_CODES, None),
        "must_enrol": request.session.get(flow.MUST_ENROL, False),
        "required": policy.must_have_second_factor(request.person),
    }
    return render(request, "mfa/security_settings.html", context, status=status)


@person_required()
def security_settings(request):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _settings_page(request)


@require_POST
@person_required()
def totp_setup(request):
    if totp.confirmed_device(request.user) is None:
        totp.start_setup(request.user)
    return redirect("security_settings")


@require_POST
@person_required()
def totp_confirm(request):
    device = get_object_or_404(TotpDevice, user=request.user, confirmed_at__isnull=True)
    form = TotpConfirmForm(request.POST)
    if form.is_valid() and totp.confirm(device, form.cleaned_data["code"]):
        _first_factor_added(request)
        messages.success(request, _("Your authenticator app is set up."))
        return redirect("security_settings")
    form.add_error("code", _("That code is not right. Check the time on your phone."))
    return _settings_page(request, confirm_form=form, status=400)


def _removal_refused(request, form):
    if not form.is_valid():
        return _settings_page(request, remove_form=form, status=400)
    return None


def _last_factor_kept(request, removing_totp: bool, removing_passkey: bool) -> bool:
    """The policy's people keep at least one factor."""
    if not policy.must_have_second_factor(request.person):
        return False
    has_totp = totp.confirmed_device(request.user) is not None and not removing_totp
    other_passkeys = Passkey.objects.filter(user=request.user).count() - int(removing_passkey)
    if has_totp or other_passkeys > 0:
        return False
    messages.error(
        request, _("Your organisation requires a second factor: add another before removing it.")
    )
    return True


def _forget_codes_without_factors(user) -> None:
    if not policy.has_second_factor(user):
        recovery.forget(user)


@require_POST
@person_required()
def totp_remove(request):
    form = ConfirmItIsYouForm(request.POST, request=request)
    if refused := _removal_refused(request, form):
        return refused
    if not _last_factor_kept(request, removing_totp=True, removing_passkey=False):
        TotpDevice.objects.filter(user=request.user).delete()
        _forget_codes_without_factors(request.user)
        messages.success(request, _("Your authenticator app is removed."))
    return redirect("security_settings")


@require_POST
@person_required()
def passkey_options(request):
    options = passkeys.registration_options(request.session, request.user)
    return JsonResponse({"options": options})


@require_POST
@person_required()
def passkey_register(request):
    form = PasskeyNameForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("Give the passkey a name.")}, status=400)
    try:
        details = form.cleaned_data
        passkeys.register(request.session, request.user, details["credential"], details["name"])
    except passkeys.PasskeyRefused:
        return JsonResponse({"error": _("The passkey could not be added. Try again.")}, status=400)
    _first_factor_added(request)
    messages.success(request, _("Your passkey is added."))
    return JsonResponse({"redirect": reverse("security_settings")})


@require_POST
@person_required()
def passkey_remove(request, passkey_id: int):
    passkey = get_object_or_404(Passkey, pk=passkey_id, user=request.user)
    form = ConfirmItIsYouForm(request.POST, request=request)
    if refused := _removal_refused(request, form):
        return refused
    if not _last_factor_kept(request, removing_totp=False, removing_passkey=True):
        passkey.delete()
        _forget_codes_without_factors(request.user)
        messages.success(request, _("The passkey “%(name)s” is removed.") % {"name": passkey.name})
    return redirect("security_settings")


@require_POST
@person_required()
def recovery_codes_regenerate(request):
    form = ConfirmItIsYouForm(request.POST, request=request)
    if refused := _removal_refused(request, form):
        return refused
    if policy.has_second_factor(request.user):
        request.session[FRESH_CODES] = recovery.regenerate(request.user)
    return redirect("security_settings")


def _pending_or_back(request):
    user = flow.pending_user(request)
    if user is None:
        messages.error(request, _("Sign in again: the second step took more than 5 minutes."))
    return user


def verify(request):
    """The sign-in's second step: a code, a recovery code or a passkey."""
    user = _pending_or_back(request)
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = flow.code_entered(request, user, form.cleaned_data["code"])
        if outcome.accepted:
            next_url = flow.finish(request, user)
            if outcome.used_recovery_code:
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)s are left.")
                    % {"count": recovery.remaining(user)},
                )
            return redirect(next_url)
        if outcome.ended:
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("login")
        form.add_error("code", _("That code is not right."))
        status = 400
    context = {
        "form": form,
        "has_totp": totp.confirmed_device(user) is not None,
        "has_passkeys": Passkey.objects.filter(user=user).exists(),
    }
    return render(request, "mfa/verify.html", context, status=status)


@require_POST
def verify_passkey_options(request):
    user = flow.pending_user(request)
    if user is None:
        return JsonResponse({"error": _("Sign in again.")}, status=403)
    return JsonResponse({"options": passkeys.authentication_options(request.session, user)})


@require_POST
def verify_passkey(request):
    user = flow.pending_user(request)
    if user is None:
        return JsonResponse({"error": _("Sign in again.")}, status=403)
    try:
        passkeys.authenticate(request.session, user, request.POST.get("credential", ""))
    except passkeys.PasskeyRefused:
        outcome = flow.wrong_factor(request, user)
        error = _("Too many wrong codes. Sign in again.") if outcome.ended else None
        return JsonResponse({"error": error or _("That passkey was not accepted.")}, status=400)
    return JsonResponse({"redirect": flow.finish(request, user)})


@admin_required
def organisation_security(request):
    current = policy.policy_of(request.person.organisation)
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        policy.set_required(
            request.person.organisation, form.cleaned_data["required_for_admins_and_editors"]
        )
        messages.success(request, _("The sign-in policy is saved."))
        return redirect("organisation_security")
    return render(request, "mfa/organisation_security.html", {"form": form})
