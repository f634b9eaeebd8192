"""The SAML endpoints of each organisation (metadata, login start, ACS) and the admin
page. Thin: the protocol is in ``protocol``, the person in ``signin``."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budbringer.accounts.access import admin_required
from budbringer.sso.discovery import safe_next
from budbringer.sso.mapping import SignInRefused
from budbringer.sso.models import SamlConnection
from budbringer.sso.saml import protocol
from budbringer.sso.saml.connections import format_role_groups, save_connection
from budbringer.sso.saml.forms import SamlConnectionForm
from budbringer.sso.saml.metadata import MetadataError
from budbringer.sso.saml.signin import AssertionRefused, person_for_assertion

log = logging.getLogger(__name__)

# The AuthnRequest's id waits in a cookie of its own, not in the session: the provider
# POSTs back from another site, and the session cookie (SameSite=Lax) is not sent on a
# cross-site POST. Signed, bound to the organisation, valid for REQUEST_LIFETIME.
REQUEST_COOKIE = "budbringer_saml_request"
REQUEST_LIFETIME = 600
_SALT = "budbringer.sso.saml.request"


def _connection(slug: str) -> SamlConnection:
    return get_object_or_404(
        SamlConnection.objects.select_related("organisation"),
        organisation__slug=slug,
        enabled=True,
    )


def _refused(request, message: str, status: int = 403):
    return render(request, "sso/saml_refused.html", {"message": message}, status=status)


@require_GET
def metadata(request, slug):
    connection = get_object_or_404(
        SamlConnection.objects.select_related("organisation"), organisation__slug=slug
    )
    return HttpResponse(
        protocol.sp_metadata(connection), content_type="application/samlmetadata+xml"
    )


@require_GET
def start(request, slug):
    connection = _connection(slug)
    request_id, location = protocol.authn_request(connection)
    response = HttpResponseRedirect(location)
    secure = settings.BASE_URL.startswith("https://")
    next_url = safe_next(request, request.GET.get("next", ""))
    response.set_cookie(
        REQUEST_COOKIE,
        signing.dumps({"org": slug, "id": request_id, "next": next_url}, salt=_SALT),
        max_age=REQUEST_LIFETIME,
        httponly=True,
        secure=secure,
        # None lets the provider's POST carry it back; browsers accept None only with
        # Secure, so a plain-http installation (the demo) keeps Lax.
        samesite="None" if secure else "Lax",
        path=reverse("saml_acs", args=[slug]),
    )
    return response


def _outstanding_request(request, slug: str) -> dict:
    """The AuthnRequest this organisation's answer may be for, {"id", "next"}, or {}."""
    try:
        value = signing.loads(
            request.COOKIES.get(REQUEST_COOKIE, ""), salt=_SALT, max_age=REQUEST_LIFETIME
        )
    except signing.BadSignature:
        return {}
    return value if value.get("org") == slug else {}


@csrf_exempt  # the provider's POST; the signed assertion and InResponseTo are the check
@require_POST
def acs(request, slug):
    connection = _connection(slug)
    again = _("Start again from the sign-in page; if it keeps failing, tell your admin.")
    outstanding = _outstanding_request(request, slug)
    try:
        assertion = protocol.check_response(
            connection, request.POST.get("SAMLResponse", ""), outstanding.get("id")
        )
        person = person_for_assertion(connection, assertion)
    except protocol.ResponseRefused as refusal:
        log.warning("saml sign-in refused: org=%s reason=%s", slug, refusal.reason)
        return _refused(
            request, _("Your identity provider's answer could not be accepted.") + " " + again
        )
    except AssertionRefused as refusal:
        log.warning("saml sign-in refused: org=%s reason=%s", slug, refusal.reason)
        return _refused(request, str(refusal))
    except SignInRefused as refusal:
        log.warning("saml sign-in refused: org=%s reason=person_refused", slug)
        return _refused(request, str(refusal))
    login(request, person.user, backend="django.contrib.auth.backends.ModelBackend")
    log.info("saml sign-in: org=%s person=%s", slug, person.pk)
    response = redirect(safe_next(request, outstanding.get("next", "")) or "home")
    response.delete_cookie(REQUEST_COOKIE, path=reverse("saml_acs", args=[slug]))
    return response


@admin_required
@require_http_methods(["GET", "POST"])
def admin_page(request):
    organisation = request.person.organisation
    connection = SamlConnection.objects.filter(organisation=organisation).first()
    if request.method == "POST":
        form = SamlConnectionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_connection(
                    organisation,
                    data["provider"],
                    enabled=data["enabled"],
                    email_attribute=data["email_attribute"],
                    name_attribute=data["name_attribute"],
                    department_attribute=data["department_attribute"],
                    groups_attribute=data["groups_attribute"],
                    role_groups=data["role_groups"],
                    metadata_url=data.get("metadata_url") or "",
                )
            except MetadataError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The SAML settings are saved."))
                return redirect("saml_admin")
    elif connection is not None:
        form = SamlConnectionForm(
            initial={
                "enabled": connection.enabled,
                "metadata_url": connection.idp_metadata_url,
                "email_attribute": connection.email_attribute,
                "name_attribute": connection.name_attribute,
                "department_attribute": connection.department_attribute,
                "groups_attribute": connection.groups_attribute,
                "role_groups": format_role_groups(connection.role_groups),
            }
        )
    else:
        form = SamlConnectionForm(initial={"groups_attribute": "groups"})
    slug = organisation.slug
    ours = {
        "entity_id": protocol.sp_entity_id(slug),
        "metadata_url": protocol.sp_entity_id(slug),
        "acs_url": protocol.acs_url(slug),
        "start_url": settings.BASE_URL + reverse("saml_login", args=[slug]),
    }
    context = {
        "form": form,
        "connection": connection,
        "ours": ours,
        "domains": organisation.email_domains.all(),
    }
    return render(request, "sso/saml_admin.html", context)
