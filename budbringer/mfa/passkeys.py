"""WebAuthn passkeys with py_webauthn: the options the browser gets and the checks of what
it sends back.

Our relying party is the host of BASE_URL, and the only origin accepted is BASE_URL's.
Each ceremony's challenge is kept in the session and used once. Signing in looks the
credential up among the pending person's own passkeys only, and refuses a sign count
that did not go up (py_webauthn's check: a cloned authenticator).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from budbringer.mfa.models import Passkey

RP_NAME = "Budbringer"
REGISTER_CHALLENGE = "mfa_passkey_register_challenge"
SIGN_IN_CHALLENGE = "mfa_passkey_sign_in_challenge"


class PasskeyRefused(Exception):
    """What the browser sent does not prove this person holds a passkey of theirs."""


def rp_id() -> str:
    return urlsplit(settings.BASE_URL).hostname


def origin() -> str:
    parts = urlsplit(settings.BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def _descriptors(user) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=_bytes(p.credential_id),
            transports=[AuthenticatorTransport(t) for t in p.transports if t in known],
        )
        for p in Passkey.objects.filter(user=user)
    ]


def _bytes(b64url: str) -> bytes:
    try:
        return base64url_to_bytes(b64url)
    except (TypeError, ValueError):
        raise PasskeyRefused("not base64url") from None


def registration_options(session, user) -> str:
    """Options for navigator.credentials.create, as JSON; the challenge goes in the session."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=RP_NAME,
        user_id=str(user.pk).encode(),
        user_name=user.get_username(),
        user_display_name=user.get_full_name() or user.get_username(),
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    session[REGISTER_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def register(session, user, credential: str, name: str) -> Passkey:
    """Check the browser's answer to our latest registration options and keep the key."""
    challenge = session.pop(REGISTER_CHALLENGE, None)
    if challenge is None:
        raise PasskeyRefused("no passkey registration was started, or it was already used")
    try:
        verified = verify_registration_response(
            credential=_parsed(credential),
            expected_challenge=_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
        )
    except WebAuthnException as error:
        raise PasskeyRefused(str(error)) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise PasskeyRefused("this passkey is already registered")
    transports = _parsed(credential).get("response", {}).get("transports") or []
    return Passkey.objects.create(
        user=user,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[t for t in transports if isinstance(t, str)][:10],
        name=name,
    )


def authentication_options(session, user) -> str:
    """Options for navigator.credentials.get: this person's passkeys only."""
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    session[SIGN_IN_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def authenticate(session, user, credential: str) -> Passkey:
    """The passkey of ``user`` that signed our latest challenge, or PasskeyRefused."""
    challenge = session.pop(SIGN_IN_CHALLENGE, None)
    if challenge is None:
        raise PasskeyRefused("no passkey sign-in was started, or it was already used")
    parsed = _parsed(credential)
    credential_id = parsed.get("rawId") or parsed.get("id")
    passkey = Passkey.objects.filter(user=user, credential_id=credential_id).first()
    if passkey is None:
        raise PasskeyRefused("this passkey is not one of this person's")
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except WebAuthnException as error:
        raise PasskeyRefused(str(error)) from None
    with transaction.atomic():
        # Conditional: two answers with the same count cannot both be accepted.
        moved = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
            sign_count=verified.new_sign_count, last_used_at=timezone.now()
        )
    if not moved:
        raise PasskeyRefused("this passkey was used at the same moment elsewhere")
    return passkey


def _parsed(credential: str) -> dict:
    try:
        parsed = json.loads(credential)
    except (TypeError, ValueError):
        raise PasskeyRefused("the browser's answer is not JSON") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("id", ""), str):
        raise PasskeyRefused("the browser's answer is not a credential")
    return parsed
