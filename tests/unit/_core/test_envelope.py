"""Envelope encryption: known vectors, round trips, tampering, key sources and KEK rotation."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ardea._core.envelope import (
    EnvelopeCipher,
    KeyRing,
    TamperedError,
    derive_kek,
    record_kek_id,
)
from ardea._core.errors import InvalidArgumentError

RAW_KEY = base64.urlsafe_b64encode(bytes(range(32)))  # a Fernet-shaped key: used as raw bytes


def _counter() -> Callable[[int], bytes]:
    """Deterministic "random" bytes: 0x01.., 0x02.., ... one fill byte per call."""
    state = {"n": 0}

    def take(size: int) -> bytes:
        state["n"] += 1
        return bytes([state["n"]]) * size

    return take


def test_aes_gcm_primitive_matches_the_nist_vector() -> None:
    # NIST GCM test case 13 (AES-256, zero key, zero IV, empty plaintext): the tag.
    tag = AESGCM(bytes(32)).encrypt(bytes(12), b"", None)
    assert tag.hex() == "530f8afbc74536b9a963b4f1c4cb738b"


def test_kek_derivation_is_stable() -> None:
    kek = derive_kek(RAW_KEY)
    assert kek.kek_id == derive_kek(RAW_KEY.decode()).kek_id
    assert len(kek.key) == 32 and kek.key != bytes(range(32))  # HKDF, not the raw key
    assert str(kek.key) not in repr(kek)
    assert derive_kek("a passphrase").kek_id != kek.kek_id


def test_known_record_vector() -> None:
    cipher = EnvelopeCipher(KeyRing.of(RAW_KEY), random=_counter())
    record = cipher.encrypt("sk-secret", "s-1")
    # The same inputs always give this record (a regression vector for the format).
    again = EnvelopeCipher(KeyRing.of(RAW_KEY), random=_counter()).encrypt("sk-secret", "s-1")
    assert record == again
    version, kek_id, _wrapped, sealed = record.split(".")
    assert version == "v1" and kek_id == derive_kek(RAW_KEY).kek_id
    # The DEK (0x01 * 32) decrypts the sealed part with AES-GCM directly.
    raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    assert raw[:12] == b"\x03" * 12
    assert AESGCM(b"\x01" * 32).decrypt(raw[:12], raw[12:], b"ardea/data|s-1") == b"sk-secret"
    assert EnvelopeCipher(KeyRing.of(RAW_KEY)).decrypt(record, "s-1") == "sk-secret"


def test_round_trip_uses_fresh_keys_and_nonces() -> None:
    cipher = EnvelopeCipher(KeyRing.of("pass phrase"))
    a, b = cipher.encrypt("hush", "s-1"), cipher.encrypt("hush", "s-1")
    assert a != b and "hush" not in a
    assert cipher.decrypt(a, "s-1") == cipher.decrypt(b, "s-1") == "hush"
    assert cipher.decrypt(cipher.encrypt("", "x"), "x") == ""
    assert cipher.decrypt(cipher.encrypt("é🔑", "x"), "x") == "é🔑"


def _flip(record: str, part: int, at: int) -> str:
    parts = record.split(".")
    text = parts[part]
    raw = bytearray(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    raw[at] ^= 1
    parts[part] = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    return ".".join(parts)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: _flip(r, 2, 0),  # wrapped DEK nonce
        lambda r: _flip(r, 2, 20),  # wrapped DEK
        lambda r: _flip(r, 3, 0),  # data nonce
        lambda r: _flip(r, 3, 14),  # ciphertext
        lambda r: _flip(r, 3, -1),  # tag
        lambda r: r[:-2],  # truncated
        lambda r: "v2" + r[2:],  # unknown version
        lambda r: r.replace(".", "", 1),  # bad framing
        lambda r: "",
    ],
)
def test_tampering_is_detected(tamper: Callable[[str], str]) -> None:
    cipher = EnvelopeCipher(KeyRing.of(RAW_KEY))
    record = cipher.encrypt("sk-secret", "s-1")
    with pytest.raises(TamperedError):
        cipher.decrypt(tamper(record), "s-1")


def test_a_record_is_bound_to_its_row_and_key_id() -> None:
    cipher = EnvelopeCipher(KeyRing.of(RAW_KEY))
    record = cipher.encrypt("sk-secret", "s-1")
    with pytest.raises(TamperedError):
        cipher.decrypt(record, "s-2")  # copied onto another row
    other = KeyRing.of("other", RAW_KEY)
    swapped = record.replace(record_kek_id(record), other.current.kek_id)
    with pytest.raises(TamperedError):
        EnvelopeCipher(other).decrypt(swapped, "s-1")


def test_unknown_key_names_the_fix() -> None:
    record = EnvelopeCipher(KeyRing.of("old")).encrypt("x", "s")
    with pytest.raises(TamperedError, match="ARDEA_SECRET_KEY"):
        EnvelopeCipher(KeyRing.of("new")).decrypt(record, "s")


def test_rotation_rewraps_the_data_key_only() -> None:
    old = EnvelopeCipher(KeyRing.of("old"))
    record = old.encrypt("sk-secret", "s-1")
    both = EnvelopeCipher(KeyRing.of("new", "old"))
    assert both.decrypt(record, "s-1") == "sk-secret"  # readable during the rotation
    moved = both.rewrap(record)
    assert record_kek_id(moved) == derive_kek("new").kek_id
    assert moved.split(".")[3] == record.split(".")[3]  # the ciphertext is untouched
    assert both.rewrap(moved) == moved  # idempotent
    assert EnvelopeCipher(KeyRing.of("new")).decrypt(moved, "s-1") == "sk-secret"
    with pytest.raises(TamperedError):
        old.decrypt(moved, "s-1")


def test_key_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ARDEA_SECRET_KEY", raising=False)
    monkeypatch.delenv("MLFLOW_CRYPTO_KEK_PASSPHRASE", raising=False)
    monkeypatch.delenv("ARDEA_SECRET_KEY_PREVIOUS", raising=False)
    with pytest.raises(InvalidArgumentError, match="MLFLOW_CRYPTO_KEK_PASSPHRASE"):
        EnvelopeCipher().encrypt("x", "s")
    file_cipher = EnvelopeCipher(key_file=tmp_path / "k.key")
    record = file_cipher.encrypt("x", "s")
    assert EnvelopeCipher(key_file=tmp_path / "k.key").decrypt(record, "s") == "x"
    monkeypatch.setenv("MLFLOW_CRYPTO_KEK_PASSPHRASE", "mlflow pass")
    mlflow = EnvelopeCipher(key_file=tmp_path / "k.key")
    assert mlflow.ring.current.kek_id == derive_kek("mlflow pass").kek_id
    monkeypatch.setenv("ARDEA_SECRET_KEY", "ardea pass")
    monkeypatch.setenv("ARDEA_SECRET_KEY_PREVIOUS", "mlflow pass, older")
    ring = EnvelopeCipher().ring
    assert ring.current.kek_id == derive_kek("ardea pass").kek_id
    assert ring.get(derive_kek("older").kek_id) is not None
    eph = EnvelopeCipher(ephemeral=True)
    monkeypatch.delenv("ARDEA_SECRET_KEY")
    monkeypatch.delenv("MLFLOW_CRYPTO_KEK_PASSPHRASE")
    assert eph.decrypt(eph.encrypt("y", "s"), "s") == "y"
