"""The SCIM 2.0 endpoints at /scim/v2/ (RFC 7644) and the admin page of SCIM tokens.

Each endpoint view is thin: the ``scim_endpoint`` decorator authenticates the bearer
token (the token *is* the organisation), reads the bounded JSON body and turns every
``SCIMException`` into the error JSON of RFC 7644 §3.12; ``scim.service`` does the rest.
"""

import json
import logging
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidPathException,
    InvalidSyntaxException,
    ListResponse,
    Meta,
    NotFoundException,
    NotImplementedException,
    PayloadTooLargeException,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    UnauthorizedException,
)

from budbringer.accounts.access import admin_required
from budbringer.lib.bearer_token_pages import revoke_and_return, tokens_page
from budbringer.scim import service
from budbringer.scim.models import ScimToken
from budbringer.scim.schemas import published_schemas, resource_types, service_provider_config
from budbringer.scim.tokens import issue_token, revoke_token, token_for_secret

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/scim+json"
# A user or a group with a few thousand members fits; nothing an identity provider sends
# comes near. Bigger bodies are refused before they are parsed (413).
MAX_BODY_BYTES = 1024 * 1024


def base_url() -> str:
    return f"{settings.BASE_URL}/scim/v2/"


def scim_response(
    body, status: int = 200, *, context=Context.RESOURCE_QUERY_RESPONSE, request=None
):
    """A scim2-models object as application/scim+json, with the attributes the request's
    ``attributes`` / ``excludedAttributes`` ask for (RFC 7644 §3.4.2.5)."""
    parameters = None
    if request is not None and (
        request.GET.get("attributes") or request.GET.get("excludedAttributes")
    ):
        try:
            parameters = ResponseParameters.model_validate(
                {
                    key: request.GET[key]
                    for key in ("attributes", "excludedAttributes")
                    if request.GET.get(key)
                }
            )
        except ValidationError as error:
            raise InvalidPathException(detail=str(error.errors()[0]["msg"])) from None
    data = (
        body.model_dump(scim_ctx=context, response_parameters=parameters)
        if body is not None
        else None
    )
    response = HttpResponse(
        json.dumps(data) if data is not None else b"", status=status, content_type=CONTENT_TYPE
    )
    location = getattr(getattr(body, "meta", None), "location", None)
    if location and status == 201:
        response["Location"] = location
    return response


def error_response(error: SCIMException) -> HttpResponse:
    body = Error(status=error.status, scim_type=error.scim_type or None, detail=error.detail)
    response = HttpResponse(
        json.dumps(body.model_dump()), status=error.status, content_type=CONTENT_TYPE
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def _read_body(request: HttpRequest):
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise PayloadTooLargeException(detail=f"Bodies are at most {MAX_BODY_BYTES} bytes.")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLargeException(detail=f"Bodies are at most {MAX_BODY_BYTES} bytes.")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidSyntaxException(detail="The body is not JSON.") from None


def scim_endpoint(*methods: str):
    """CSRF-exempt (a bearer token, no cookies), authenticated by the token, SCIM errors."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            try:
                scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
                token = token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
                if token is None:
                    raise UnauthorizedException(detail="A valid SCIM bearer token is needed.")
                if request.method not in methods:
                    error = SCIMException(detail=f"{request.method} is not allowed here.")
                    error.status = 405
                    return error_response(error)
                request.scim_organisation = token.organisation
                if request.method in ("POST", "PUT", "PATCH"):
                    request.scim_body = _read_body(request)
                return view(request, *args, **kwargs)
            except SCIMException as error:
                if error.status >= 500:
                    logger.error("SCIM %s %s: %s", request.method, request.path, error.detail)
                else:
                    logger.info(
                        "SCIM %s %s refused: %s %s",
                        request.method,
                        request.path,
                        error.status,
                        error.detail,
                    )
                return error_response(error)

        return wrapper

    return decorator


# ---------------------------------------------------------------------------------------
# Users and groups


@scim_endpoint("GET", "POST")
def users(request: HttpRequest) -> HttpResponse:
    organisation = request.scim_organisation
    if request.method == "POST":
        person = service.create_user(organisation, request.scim_body)
        return scim_response(
            service.user_resource(person, base_url()),
            201,
            context=Context.RESOURCE_CREATION_RESPONSE,
            request=request,
        )
    return scim_response(
        service.list_users(organisation, request.GET, base_url()),
        context=Context.SEARCH_RESPONSE,
        request=request,
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, user_id: str) -> HttpResponse:
    organisation = request.scim_organisation
    person = service.get_person(organisation, user_id)
    if request.method == "DELETE":
        service.delete_user(person)
        return HttpResponse(status=204)
    if request.method == "PUT":
        person = service.replace_user(organisation, person, request.scim_body)
        context = Context.RESOURCE_REPLACEMENT_RESPONSE
    elif request.method == "PATCH":
        person = service.patch_user(organisation, person, request.scim_body, base_url())
        context = Context.RESOURCE_PATCH_RESPONSE
    else:
        context = Context.RESOURCE_QUERY_RESPONSE
    return scim_response(
        service.user_resource(person, base_url()), context=context, request=request
    )


def _members_wanted(request: HttpRequest) -> bool:
    excluded = request.GET.get("excludedAttributes", "")
    return "members" not in [a.strip().lower() for a in excluded.split(",")]


@scim_endpoint("GET", "POST")
def groups(request: HttpRequest) -> HttpResponse:
    organisation = request.scim_organisation
    if request.method == "POST":
        department = service.create_group(organisation, request.scim_body)
        return scim_response(
            service.group_resource(department, base_url()),
            201,
            context=Context.RESOURCE_CREATION_RESPONSE,
            request=request,
        )
    return scim_response(
        service.list_groups(
            organisation, request.GET, base_url(), members=_members_wanted(request)
        ),
        context=Context.SEARCH_RESPONSE,
        request=request,
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, group_id: str) -> HttpResponse:
    organisation = request.scim_organisation
    department = service.get_department(organisation, group_id)
    if request.method == "DELETE":
        service.delete_group(department)
        return HttpResponse(status=204)
    if request.method == "PUT":
        department = service.replace_group(organisation, department, request.scim_body)
        context = Context.RESOURCE_REPLACEMENT_RESPONSE
    elif request.method == "PATCH":
        department = service.patch_group(organisation, department, request.scim_body, base_url())
        context = Context.RESOURCE_PATCH_RESPONSE
    else:
        context = Context.RESOURCE_QUERY_RESPONSE
    return scim_response(
        service.group_resource(department, base_url(), members=_members_wanted(request)),
        context=context,
        request=request,
    )


# ---------------------------------------------------------------------------------------
# Discovery (RFC 7644 §4)


def _with_location(resource, path: str):
    resource.meta = Meta(resource_type=type(resource).__name__, location=base_url() + path)
    return resource


@scim_endpoint("GET")
def service_provider_config_view(request: HttpRequest) -> HttpResponse:
    config = service_provider_config()
    return scim_response(_with_location(config, "ServiceProviderConfig"))


def _listed(items, model) -> ListResponse:
    return ListResponse[model](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )


@scim_endpoint("GET")
def schemas(request: HttpRequest) -> HttpResponse:
    items = [_with_location(s, f"Schemas/{s.id}") for s in published_schemas()]
    return scim_response(_listed(items, Schema), context=Context.SEARCH_RESPONSE)


@scim_endpoint("GET")
def schema(request: HttpRequest, schema_id: str) -> HttpResponse:
    for item in published_schemas():
        if item.id == schema_id:
            return scim_response(_with_location(item, f"Schemas/{item.id}"))
    raise NotFoundException(detail=f"No schema {schema_id}.")


@scim_endpoint("GET")
def resource_types_view(request: HttpRequest) -> HttpResponse:
    items = [_with_location(r, f"ResourceTypes/{r.id}") for r in resource_types()]
    return scim_response(_listed(items, ResourceType), context=Context.SEARCH_RESPONSE)


@scim_endpoint("GET")
def resource_type(request: HttpRequest, type_id: str) -> HttpResponse:
    for item in resource_types():
        if item.id == type_id:
            return scim_response(_with_location(item, f"ResourceTypes/{item.id}"))
    raise NotFoundException(detail=f"No resource type {type_id}.")


@scim_endpoint("POST")
def search_everything(request: HttpRequest) -> HttpResponse:
    """RFC 7644 §3.4.3 lets a server that does not search several resource types at once
    answer 501; /Users?filter= and /Groups?filter= are what Entra ID and Okta use."""
    raise NotImplementedException(detail="Search /Users or /Groups with a filter.")


@scim_endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    raise NotFoundException(detail=f"There is nothing at {request.path}.")


# ---------------------------------------------------------------------------------------
# The admin page


@never_cache  # the page may carry a new secret, which no cache may keep
@admin_required
def scim_tokens(request: HttpRequest) -> HttpResponse:
    return tokens_page(
        request,
        tokens=ScimToken.objects,
        issue=issue_token,
        template="scim/tokens.html",
        help_text=gettext_lazy("What uses it, e.g. “Entra ID” or “Okta”."),
        context={"scim_url": base_url()},
    )


@require_POST
@admin_required
def scim_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    return revoke_and_return(
        request,
        tokens=ScimToken.objects,
        token_id=token_id,
        revoke=revoke_token,
        message=_("The SCIM token “%(name)s” is revoked."),
        to="scim_tokens",
    )
