"""Our side of SAML 2.0 Web SSO through pysaml2: the AuthnRequest we send (HTTP-Redirect)
and the response we accept (HTTP-POST). pysaml2 and xmlsec1 do the XML and signature work;
the rules are set here:

1. Assertions must be signed by a certificate from the provider's metadata
   (``want_assertions_signed``); a signed response around an unsigned assertion is not
   enough. pysaml2 validates the response against the SAML schema before it looks at
   signatures, and reads the assertion that the signature covers (signature wrapping).
2. Audience must be our entity id, Destination and Recipient our ACS URL, the time window
   (NotBefore, NotOnOrAfter) holds with CLOCK_SKEW either side.
3. InResponseTo must be the request this browser was sent with; unsolicited
   (IdP-initiated) responses are refused.
4. Replays are refused by ``signin`` (the assertion id is stored until it expires).
"""

import base64
import datetime as dt
import logging
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS

from budbringer.sso.saml.metadata import IdentityProvider, minimal_metadata

log = logging.getLogger(__name__)

CLOCK_SKEW = dt.timedelta(seconds=90)
MAX_RESPONSE_BYTES = 500_000  # a response is a few kB; refuse megabytes before parsing
# When an assertion gives no NotOnOrAfter (it must have one in its subject confirmation),
# the replay record is kept this long.
DEFAULT_LIFETIME = dt.timedelta(hours=1)


class ResponseRefused(Exception):
    """A SAML response we do not accept; ``reason`` is a short code for the log line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Assertion:
    """What a checked assertion says, in plain data."""

    assertion_id: str
    name_id: str
    name_id_format: str
    attributes: dict[str, list[str]] = field(default_factory=dict)
    not_on_or_after: dt.datetime | None = None


def xmlsec_binary() -> str | None:
    return shutil.which("xmlsec1")


def sp_entity_id(slug: str) -> str:
    return settings.BASE_URL + reverse("saml_metadata", args=[slug])


def acs_url(slug: str) -> str:
    return settings.BASE_URL + reverse("saml_acs", args=[slug])


@contextmanager
def _client(connection):
    """A pysaml2 client for this connection; our key pair sits in temporary files for
    its lifetime (pysaml2 reads keys from paths), readable by this process only."""
    slug = connection.organisation.slug
    provider = IdentityProvider(
        connection.idp_entity_id, connection.idp_sso_url, tuple(connection.certificates())
    )
    with tempfile.TemporaryDirectory(prefix="budbringer-saml-") as folder:
        key_file, cert_file = Path(folder) / "sp.key", Path(folder) / "sp.crt"
        key_file.write_text(connection.sp_private_key)
        cert_file.write_text(connection.sp_certificate)
        config = SPConfig()
        config.load(
            {
                "entityid": sp_entity_id(slug),
                "xmlsec_binary": xmlsec_binary(),
                "metadata": {"inline": [minimal_metadata(provider)]},
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "accepted_time_diff": int(CLOCK_SKEW.total_seconds()),
                "allow_unknown_attributes": True,
                "service": {
                    "sp": {
                        "name": connection.organisation.name,
                        "endpoints": {
                            "assertion_consumer_service": [(acs_url(slug), BINDING_HTTP_POST)],
                        },
                        "allow_unsolicited": False,
                        "authn_requests_signed": False,
                        "want_assertions_signed": True,
                        "want_response_signed": False,
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "name_id_format_allow_create": True,
                        "requested_attributes": [],
                    }
                },
            }
        )
        yield Saml2Client(config)


def sp_metadata(connection) -> str:
    """Our metadata for the provider's admin: entity id, ACS URL, NameID format, our
    certificate."""
    with _client(connection) as client:
        return str(entity_descriptor(client.config))


def authn_request(connection) -> tuple[str, str]:
    """(request id, URL of the provider with the AuthnRequest in it: HTTP-Redirect)."""
    with _client(connection) as client:
        request_id, info = client.prepare_for_authenticate(
            entityid=connection.idp_entity_id, binding=BINDING_HTTP_REDIRECT
        )
    location = dict(info["headers"])["Location"]
    return request_id, location


def check_response(connection, saml_response: str, request_id: str | None) -> Assertion:
    """The assertion of a base64 SAMLResponse from the POST binding, checked as the module
    docstring says, or ResponseRefused."""
    if not saml_response or len(saml_response) > MAX_RESPONSE_BYTES:
        raise ResponseRefused("no_or_oversized_response")
    try:
        base64.b64decode(saml_response, validate=False)
    except ValueError:
        raise ResponseRefused("not_base64") from None
    if not request_id:
        raise ResponseRefused("no_outstanding_request")
    with _client(connection) as client:
        try:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        except Exception as error:  # pysaml2 raises dozens of kinds
            raise ResponseRefused(_reason(error)) from None
    if response is None or response.assertion is None:
        raise ResponseRefused("no_assertion")
    if response.in_response_to != request_id:
        raise ResponseRefused("in_response_to_mismatch")
    assertion = response.assertion
    name_id = response.name_id
    return Assertion(
        assertion_id=assertion.id,
        name_id=(name_id.text or "").strip() if name_id is not None else "",
        name_id_format=(name_id.format or "") if name_id is not None else "",
        attributes=_attributes(assertion),
        not_on_or_after=_not_on_or_after(assertion),
    )


def _attributes(assertion) -> dict[str, list[str]]:
    """Attributes by their Name exactly as the provider sends them (ADFS claim URIs,
    Okta's plain names), the names an admin types into the mapping."""
    found: dict[str, list[str]] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute:
            values = [(v.text or "").strip() for v in attribute.attribute_value]
            found.setdefault(attribute.name, []).extend(v for v in values if v)
    return found


def _not_on_or_after(assertion) -> dt.datetime | None:
    times = []
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        times.append(assertion.conditions.not_on_or_after)
    for confirmation in assertion.subject.subject_confirmation if assertion.subject else []:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            times.append(data.not_on_or_after)
    parsed = [_instant(value) for value in times]
    parsed = [value for value in parsed if value is not None]
    return max(parsed) if parsed else None


def _instant(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def replay_record_until(assertion: Assertion) -> dt.datetime:
    end = assertion.not_on_or_after or timezone.now() + DEFAULT_LIFETIME
    return end + CLOCK_SKEW


def _reason(error: Exception) -> str:
    """A short code for the log: the kind of error, never the document's content."""
    text = str(error).lower()
    for needle, reason in [
        ("signature", "bad_signature"),
        ("audience", "wrong_audience"),
        ("destination", "wrong_destination"),
        ("recipient", "wrong_recipient"),
        ("timeout", "expired"),
        ("too old", "expired"),
        ("not on or after", "expired"),
        ("unsolicited", "unsolicited"),
        ("in_response_to", "in_response_to_mismatch"),
    ]:
        if needle in text:
            return reason
    return type(error).__name__
