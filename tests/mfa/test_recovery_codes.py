"""Ten recovery codes, kept hashed, each working once."""

from budbringer.mfa import recovery
from budbringer.mfa.models import RecoveryCode


def test_ten_codes_stored_only_as_hashes(cast):
    codes = recovery.regenerate(cast.bob.user)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not set(codes) & set(stored)


def test_a_code_works_once(cast):
    code = recovery.regenerate(cast.bob.user)[3]
    assert recovery.use(cast.bob.user, code.upper().replace("-", " "))
    assert not recovery.use(cast.bob.user, code)
    assert recovery.remaining(cast.bob.user) == 9


def test_a_code_of_someone_else_or_an_old_one_does_not_work(cast):
    old = recovery.regenerate(cast.bob.user)[0]
    new = recovery.regenerate(cast.bob.user)
    assert not recovery.use(cast.bob.user, old)
    assert not recovery.use(cast.alice.user, new[0])
    assert not recovery.use(cast.bob.user, "")
