"""Recovery codes: ten single-use codes shown once, for a person whose phone is gone.

Only a SHA-256 of each is stored. The codes are random (60 bits each, not something a
person chose), so a fast hash is enough: nobody can try 2^60 guesses per code, and a slow
password hash would make checking ten of them slow for every sign-in.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from budbringer.mfa.models import RecoveryCode

COUNT = 10
# Crockford-like alphabet: no 0/O or 1/I/L to misread on paper.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
GROUPS, GROUP_LENGTH = 3, 4  # 12 characters of 31: about 59 bits


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_code() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


@transaction.atomic
def regenerate(user) -> list[str]:
    """Ten new codes; the old ones stop working. The plain codes exist only in the
    return value: show them once."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_code() for _ in range(COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(c)) for c in codes)
    return codes


def use(user, code: str) -> bool:
    """True once for an unused code of this person (a conditional update: the same code
    sent twice at once is accepted once)."""
    if not normalise(code):
        return False
    return bool(
        RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


def remaining(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def forget(user) -> None:
    RecoveryCode.objects.filter(user=user).delete()
