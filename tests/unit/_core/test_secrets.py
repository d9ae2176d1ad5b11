"""Secrets at rest: Fernet round trips, key sources, the 0600 key file, wrong keys."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from ardea._core.errors import InvalidArgumentError
from ardea._core.secrets import ARDEA_SECRET_KEY, SecretCipher
from ardea.store.sql._db.engine import Database


def test_round_trip_with_explicit_and_passphrase_keys() -> None:
    for key in (Fernet.generate_key(), Fernet.generate_key().decode(), "a passphrase"):
        cipher = SecretCipher(key)
        token = cipher.encrypt("hush")
        assert "hush" not in token
        assert cipher.decrypt(token) == "hush"
        assert SecretCipher(key).decrypt(token) == "hush"  # same key, new cipher


def test_key_file_is_created_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    token = SecretCipher(key_file=path).encrypt("hush")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SecretCipher(key_file=path).decrypt(token) == "hush"
    assert str(path.read_text().strip()) not in repr(SecretCipher(key_file=path))


def test_environment_key_wins_over_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ARDEA_SECRET_KEY, "env key")
    token = SecretCipher(key_file=tmp_path / "k.key").encrypt("hush")
    assert not (tmp_path / "k.key").exists()
    assert SecretCipher("env key").decrypt(token) == "hush"


def test_no_key_source_is_an_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError, match=ARDEA_SECRET_KEY):
        SecretCipher().encrypt("hush")
    assert SecretCipher(ephemeral=True).encrypt("hush")


def test_wrong_key_or_garbage_cannot_decrypt() -> None:
    token = SecretCipher("one").encrypt("hush")
    with pytest.raises(InvalidArgumentError, match="cannot be decrypted"):
        SecretCipher("two").decrypt(token)
    with pytest.raises(InvalidArgumentError):
        SecretCipher("one").decrypt("not-a-token")


def test_key_file_lives_next_to_a_sqlite_database(tmp_path: Path) -> None:
    from ardea.store.sql.webhooks.store import cipher_for_database, key_file_for_database

    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    mem = Database("sqlite://")
    try:
        assert key_file_for_database(db) == tmp_path.resolve() / "ardea-secret.key"
        assert key_file_for_database(mem) is None
        ephemeral = cipher_for_database(mem)  # a random key for a throwaway database
        assert ephemeral.decrypt(ephemeral.encrypt("x")) == "x"
        with pytest.raises(InvalidArgumentError):
            cipher_for_database(mem).decrypt(ephemeral.encrypt("x"))
    finally:
        db.close()
        mem.close()
