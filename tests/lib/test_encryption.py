"""Secrets at rest: stored encrypted, readable with any configured key, rotated to the
first, and an error (never an empty secret) when no key opens them."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from budbringer.lib import encryption
from budbringer.lib.encryption import SecretUnreadable


def test_round_trip_and_ciphertext_is_not_the_secret(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = encryption.encrypt("client-secret-123")
    assert "client-secret-123" not in token
    assert encryption.decrypt(token) == "client-secret-123"


def test_without_keys_a_key_is_derived_from_the_secret_key(settings):
    settings.ENCRYPTION_KEYS = []
    token = encryption.encrypt("s3cret")
    assert encryption.decrypt(token) == "s3cret"
    settings.SECRET_KEY = "another-secret-key-entirely-different-from-the-first-one"
    with pytest.raises(SecretUnreadable):
        encryption.decrypt(token)


def test_old_keys_still_decrypt_and_rotation_moves_to_the_first(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    token = encryption.encrypt("rotate me")
    settings.ENCRYPTION_KEYS = [new, old]
    assert encryption.decrypt(token) == "rotate me"
    rotated = encryption.rotate(token)
    settings.ENCRYPTION_KEYS = [new]
    assert encryption.decrypt(rotated) == "rotate me"
    with pytest.raises(SecretUnreadable):
        encryption.decrypt(token)


def test_an_altered_secret_is_refused(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = encryption.encrypt("untouched")
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SecretUnreadable):
        encryption.decrypt(altered)


def test_a_malformed_key_stops_with_a_clear_error(settings):
    settings.ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        encryption.encrypt("x")


def test_the_command_prints_a_usable_key(capsys, settings):
    call_command("encryption_key")
    key = capsys.readouterr().out.strip()
    settings.ENCRYPTION_KEYS = [key]
    assert encryption.decrypt(encryption.encrypt("ok")) == "ok"
