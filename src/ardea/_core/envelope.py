"""Envelope encryption of credentials at rest: AES-256-GCM under a key-encryption key (KEK).

Each secret gets its own random 256-bit data key (DEK). The DEK encrypts the secret with
AES-GCM; the KEK wraps the DEK with AES-GCM. The stored record is one ASCII string::

    v1.<kek_id>.<base64url(nonce || wrapped DEK)>.<base64url(nonce || ciphertext)>

- ``kek_id`` (16 hex characters) names the KEK that wrapped the DEK, so a :class:`KeyRing`
  holding the current KEK and earlier ones decrypts records made under any of them, and
  :meth:`EnvelopeCipher.rewrap` moves a record to the current KEK by re-wrapping its DEK
  only (the ciphertext is untouched): a rotation re-wraps every row while servers keep
  reading, without downtime.
- The wrapped DEK is bound to its ``kek_id`` and the ciphertext to a caller's *context*
  (the row's id) as AES-GCM associated data: a record copied onto another row, a changed
  ``kek_id`` or any flipped byte fails to decrypt (:class:`TamperedError`).

Where the KEK comes from, first match wins: the ``key`` argument; ``ARDEA_SECRET_KEY``;
MLflow's ``MLFLOW_CRYPTO_KEK_PASSPHRASE``; the key file beside a SQLite database (shared with
:mod:`ardea._core.secrets`); a per-process random key for an in-memory database. A 44-character
Fernet-style key is used as 32 raw bytes; any other string is a passphrase, stretched with
PBKDF2-HMAC-SHA256 (600,000 iterations, once per process). Either way the KEK is derived
from that material with HKDF-SHA256 (``info = ardea/gateway/kek/v1``), so it never equals the
key that :mod:`ardea._core.secrets` gives Fernet. ``ARDEA_SECRET_KEY_PREVIOUS`` lists earlier
keys (comma-separated) that still decrypt.

``cryptography`` is imported on first use only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ardea._core.env import (
    ARDEA_SECRET_KEY,
    ARDEA_SECRET_KEY_PREVIOUS,
    MLFLOW_CRYPTO_KEK_PASSPHRASE,
)
from ardea._core.errors import InvalidArgumentError

__all__ = ["EnvelopeCipher", "Kek", "KeyRing", "TamperedError", "derive_kek", "record_kek_id"]

_VERSION = "v1"
_PBKDF2_ITERATIONS = 600_000
_PBKDF2_SALT = b"ardea/gateway/kek-passphrase/v1"
_HKDF_INFO = b"ardea/gateway/kek/v1"
_NONCE = 12


class TamperedError(InvalidArgumentError):
    """A record that does not decrypt: another key, another row, or altered bytes."""


@dataclass(frozen=True, slots=True)
class Kek:
    """A key-encryption key and its id (the id is safe to store and show; the key is not)."""

    kek_id: str
    key: bytes

    def __repr__(self) -> str:
        return f"Kek({self.kek_id!r})"  # never the key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _material(raw: str | bytes) -> bytes:
    """32 bytes of key material: a Fernet-style key as is, a passphrase through PBKDF2."""
    data = (raw.encode() if isinstance(raw, str) else raw).strip()
    if len(data) == 44:
        try:
            decoded = base64.urlsafe_b64decode(data)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) == 32:
            return decoded
    return hashlib.pbkdf2_hmac("sha256", data, _PBKDF2_SALT, _PBKDF2_ITERATIONS)


def derive_kek(raw: str | bytes) -> Kek:
    """The KEK of a key or passphrase (see the module doc), with its id."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        _material(raw)
    )
    kek_id = hashlib.sha256(b"ardea-kek-id:" + key).hexdigest()[:16]
    return Kek(kek_id, key)


def record_kek_id(record: str) -> str:
    """The id of the KEK a stored record is wrapped under.

    Raises:
        TamperedError: ``record`` is not a record of this module.
    """
    parts = record.split(".")
    if len(parts) != 4 or parts[0] != _VERSION:
        raise TamperedError("A stored credential is not a valid encrypted record.")
    return parts[1]


class KeyRing:
    """The current KEK (which wraps new data keys) and earlier ones (which still unwrap)."""

    def __init__(self, current: Kek, previous: Sequence[Kek] = ()) -> None:
        self.current = current
        self._by_id = {k.kek_id: k for k in (*previous, current)}

    @classmethod
    def of(cls, current: str | bytes, *previous: str | bytes) -> KeyRing:
        """A ring from raw keys or passphrases."""
        return cls(derive_kek(current), [derive_kek(p) for p in previous])

    def get(self, kek_id: str) -> Kek | None:
        """The KEK with this id, if the ring holds it."""
        return self._by_id.get(kek_id)

    @property
    def ids(self) -> list[str]:
        """The ids of every KEK in the ring, the current one last."""
        return list(self._by_id)

    def __repr__(self) -> str:
        return f"KeyRing(current={self.current.kek_id!r}, ids={self.ids!r})"


def _aad_dek(kek_id: str) -> bytes:
    return b"ardea/dek|" + kek_id.encode("ascii")


def _aad_data(context: str) -> bytes:
    return b"ardea/data|" + context.encode("utf-8")


class EnvelopeCipher:
    """Encrypts credentials under per-secret data keys wrapped by a KEK (see the module doc).

    Args:
        ring: The keys; None resolves them lazily from the environment or ``key_file``.
        key_file: Where to keep a generated key when no key is configured (SQLite).
        ephemeral: Without key or key file, use a random per-process key (in-memory database).
        random: The source of random bytes (tests pass a fixed one for known vectors).
    """

    def __init__(
        self,
        ring: KeyRing | None = None,
        *,
        key_file: Path | None = None,
        ephemeral: bool = False,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._ring = ring
        self._key_file = key_file
        self._ephemeral = ephemeral
        self._random = random
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EnvelopeCipher(key_file={self._key_file!r})"  # never a key

    @property
    def ring(self) -> KeyRing:
        """The key ring, resolved on first use."""
        with self._lock:
            if self._ring is None:
                self._ring = self._resolve()
            return self._ring

    def _resolve(self) -> KeyRing:
        previous = [
            p.strip() for p in os.environ.get(ARDEA_SECRET_KEY_PREVIOUS, "").split(",") if p.strip()
        ]
        for var in (ARDEA_SECRET_KEY, MLFLOW_CRYPTO_KEK_PASSPHRASE):
            value = os.environ.get(var)
            if value:
                return KeyRing.of(value, *previous)
        if self._key_file is not None:
            from ardea._core.secrets import read_or_create_key_file

            return KeyRing.of(read_or_create_key_file(self._key_file), *previous)
        if self._ephemeral:
            return KeyRing.of(base64.urlsafe_b64encode(self._random(32)))
        raise InvalidArgumentError(
            f"Storing a gateway credential needs an encryption key: set {ARDEA_SECRET_KEY} "
            f"(or {MLFLOW_CRYPTO_KEK_PASSPHRASE}); this database has no folder for a key file."
        )

    def encrypt(self, plaintext: str, context: str) -> str:
        """The record of ``plaintext``, bound to ``context`` (e.g. the secret's id)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        kek = self.ring.current
        dek = self._random(32)
        n1, n2 = self._random(_NONCE), self._random(_NONCE)
        wrapped = n1 + AESGCM(kek.key).encrypt(n1, dek, _aad_dek(kek.kek_id))
        sealed = n2 + AESGCM(dek).encrypt(n2, plaintext.encode("utf-8"), _aad_data(context))
        return f"{_VERSION}.{kek.kek_id}.{_b64(wrapped)}.{_b64(sealed)}"

    def _unwrap(self, record: str) -> tuple[str, bytes, str]:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        kek_id = record_kek_id(record)
        _, _, wrapped_text, sealed_text = record.split(".")
        kek = self.ring.get(kek_id)
        if kek is None:
            raise TamperedError(
                f"A stored credential is wrapped under key {kek_id}, which is not configured: "
                f"set {ARDEA_SECRET_KEY} (or add the old key to {ARDEA_SECRET_KEY_PREVIOUS})."
            )
        try:
            wrapped = _unb64(wrapped_text)
            dek = AESGCM(kek.key).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _aad_dek(kek_id))
        except (InvalidTag, binascii.Error, ValueError):
            raise TamperedError("A stored credential's data key does not decrypt.") from None
        return kek_id, dek, sealed_text

    def decrypt(self, record: str, context: str) -> str:
        """The plaintext of a record from :meth:`encrypt` with the same ``context``.

        Raises:
            TamperedError: Unknown KEK, another context, or altered bytes.
        """
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        _, dek, sealed_text = self._unwrap(record)
        try:
            sealed = _unb64(sealed_text)
            data = AESGCM(dek).decrypt(sealed[:_NONCE], sealed[_NONCE:], _aad_data(context))
        except (InvalidTag, binascii.Error, ValueError):
            raise TamperedError("A stored credential does not decrypt.") from None
        return data.decode("utf-8")

    def rewrap(self, record: str) -> str:
        """``record`` with its data key wrapped under the current KEK (same ciphertext)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        kek_id, dek, sealed_text = self._unwrap(record)
        kek = self.ring.current
        if kek_id == kek.kek_id:
            return record
        n1 = self._random(_NONCE)
        wrapped = n1 + AESGCM(kek.key).encrypt(n1, dek, _aad_dek(kek.kek_id))
        return f"{_VERSION}.{kek.kek_id}.{_b64(wrapped)}.{sealed_text}"
