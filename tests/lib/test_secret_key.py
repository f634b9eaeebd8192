import stat

from budbringer.lib.secret_key import load_or_create_secret_key


def test_key_is_made_on_first_run_with_owner_only_permissions(tmp_path):
    data_dir = tmp_path / "data"  # does not exist yet
    key = load_or_create_secret_key(data_dir)
    path = data_dir / "secret_key"
    assert len(key) >= 50
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # No temporary files are left behind.
    assert [p.name for p in data_dir.iterdir()] == ["secret_key"]


def test_key_is_reused_after_a_restart(tmp_path):
    first = load_or_create_secret_key(tmp_path)
    assert load_or_create_secret_key(tmp_path) == first


def test_existing_key_is_read_not_replaced(tmp_path):
    (tmp_path / "secret_key").write_text("kept-from-last-year\n")
    assert load_or_create_secret_key(tmp_path) == "kept-from-last-year"


def test_each_installation_gets_its_own_key(tmp_path):
    assert load_or_create_secret_key(tmp_path / "a") != load_or_create_secret_key(tmp_path / "b")
