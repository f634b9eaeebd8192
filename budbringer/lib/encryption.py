"""Secrets at rest (SSO client secrets, bot tokens), encrypted with keys from the
environment.

``BUDBRINGER_ENCRYPTION_KEYS`` holds one or more Fernet keys, comma-separated: the first
encrypts, all of them decrypt, so a key is rotated by putting a new one first and
re-saving (``rotate``). Without it, one key is derived from ``SECRET_KEY`` (fine for the
demo; a deployment sets its own so that changing the secret key loses no secrets).
A value that no key opens is an error, never an empty secret.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SecretUnreadable(Exception):
    """Stored with a key that is no longer configured (or the value was altered)."""


def _fernet() -> MultiFernet:
    keys = list(settings.ENCRYPTION_KEYS)
    if not keys:
        digest = hashlib.sha256(b"budbringer-encryption:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "BUDBRINGER_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes; "
            "make one with `budbringer encryption-key`)"
        ) from None


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable("no configured key opens this secret") from None


def rotate(token: str) -> str:
    """The same secret encrypted with the first (newest) key."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise SecretUnreadable("no configured key opens this secret") from None


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give the plain text (or raise
    SecretUnreadable). Not searchable, by design. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
