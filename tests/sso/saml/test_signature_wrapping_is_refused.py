"""XML signature wrapping: bob's genuinely signed assertion moved aside and an unsigned
forged one for alice (an admin) put where a careless reader looks. Each variant is
refused and nobody is signed in (Somorovsky et al., "On Breaking SAML", 2012)."""

import re

import pytest

from budbringer.accounts.models import EmailDomain
from tests.sso.saml.conftest import assertion_of, post, signed_in_as, start

SIGNATURE = re.compile(r"<(\w+):Signature .*?</\1:Signature>", re.S)


def prefix(element: str) -> str:
    return re.match(r"<(\w+):", element).group(1)


def forged(signed: str) -> str:
    """The signed assertion made alice's, unsigned, under a new ID."""
    evil = SIGNATURE.sub("", signed).replace("bob@nordlys.no", "alice@nordlys.no")
    return re.sub(r'ID="[^"]+"', 'ID="id-forged"', evil, count=1)


def wrap_before(xml, signed):  # XSW3: the forged assertion first, the signed one after
    return xml.replace(signed, forged(signed) + signed)


def wrap_after(xml, signed):  # the forged assertion after the signed one
    return xml.replace(signed, signed + forged(signed))


def wrap_inside(xml, signed):  # XSW4: the forged assertion wraps the signed one
    evil = forged(signed)
    end = f"</{prefix(signed)}:Assertion>"
    return xml.replace(signed, evil.replace(end, signed + end))


def wrap_in_extensions(xml, signed):  # XSW7: the signed one in the response's Extensions
    p = prefix(xml[xml.index("<", 5) :])  # the Response's own prefix (samlp)
    return xml.replace(signed, f"<{p}:Extensions>{signed}</{p}:Extensions>" + forged(signed))


def same_id(xml, signed):  # the forged one takes the signed one's ID, placed first
    evil = SIGNATURE.sub("", signed).replace("bob@nordlys.no", "alice@nordlys.no")
    return xml.replace(signed, evil + signed)


def signature_moved_to_forged(xml, signed):  # XSW5-like: the Signature copied into the forgery
    signature = SIGNATURE.search(signed).group(0)
    issuer_end = f"</{prefix(signed)}:Issuer>"
    evil = forged(signed).replace(issuer_end, issuer_end + signature, 1)
    return xml.replace(signed, evil)


@pytest.mark.parametrize(
    "wrap",
    [wrap_before, wrap_after, wrap_inside, wrap_in_extensions, same_id, signature_moved_to_forged],
)
@pytest.mark.parametrize("sign_response", [False, True])
def test_a_wrapped_assertion_is_refused(client, cast, connection, idp, wrap, sign_response):
    EmailDomain.objects.filter(domain="nordlys.no").update(organisation=cast.nordlys)
    request = start(client)
    xml = idp.response(
        "bob@nordlys.no",
        in_response_to=request.id,
        destination=request.acs,
        audience=request.audience,
        attributes={},
        sign_response=sign_response,
    )
    signed = assertion_of(xml)
    wrapped = wrap(xml, signed)
    assert "alice@nordlys.no" in wrapped and wrapped != xml

    response = post(client, wrapped)
    assert signed_in_as(client) != "alice@nordlys.no"
    assert response.status_code == 403
    assert signed_in_as(client) is None
