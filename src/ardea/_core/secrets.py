"""Encrypting secrets at rest (webhook secrets, provider keys) with Fernet (``cryptography``).

Fernet is AES-128-CBC + HMAC-SHA256.

Where the key comes from, first match wins:

1. the ``key`` argument of :class:`SecretCipher`;
2. the ``ARDEA_SECRET_KEY`` environment variable: a Fernet key (``Fernet.generate_key()``,
   44 url-safe base64 characters) or any other string, which is stretched to a key with
   SHA-256 (so a passphrase works too). Every server process of one database needs the same;
3. a key file (``key_file``): for a SQLite database, stores pass ``ardea-secret.key`` next to
   the database file (:data:`KEY_FILE_NAME`), created on first use with mode 0600 (readable
   by the server's user only). Keep it with backups of the database: without it the stored
   secrets cannot be decrypted.

A PostgreSQL or MySQL database has no data folder, so it needs ``ARDEA_SECRET_KEY`` before a
webhook with a secret can be stored (InvalidArgumentError otherwise). An in-memory SQLite
database gets a random per-process key (its data dies with the process anyway).

``cryptography`` is imported on first use only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from ardea._core.env import ARDEA_SECRET_KEY
from ardea._core.errors import InvalidArgumentError

__all__ = ["ARDEA_SECRET_KEY", "KEY_FILE_NAME", "SecretCipher", "read_or_create_key_file"]


KEY_FILE_NAME = "ardea-secret.key"
"""Name of the key file created next to a SQLite database."""


def _as_fernet_key(raw: str | bytes) -> bytes:
    """A Fernet key from a Fernet key, or else the SHA-256 stretch of any string."""
    data = raw.encode() if isinstance(raw, str) else raw
    data = data.strip()
    try:
        if len(base64.urlsafe_b64decode(data)) == 32 and len(data) == 44:
            return data
    except (binascii.Error, ValueError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest())


def _read_or_create_key_file(path: Path) -> bytes:
    """The key in ``path``, created (0600, exclusively, so racing processes agree) if missing."""
    from cryptography.fernet import Fernet

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be between create and write
            data = path.read_bytes().strip()
            if data:
                return _as_fernet_key(data)
            threading.Event().wait(0.02)
        raise InvalidArgumentError(f"The webhook secret key file {path} is empty") from None
    key = Fernet.generate_key()
    try:
        os.write(fd, key + b"\n")
    finally:
        os.close(fd)
    return key


def read_or_create_key_file(path: Path) -> bytes:
    """The key kept in ``path`` (created 0600 on first use); gateway credentials share it."""
    return _read_or_create_key_file(path)


class SecretCipher:
    """Encrypts and decrypts webhook secrets; resolves its key lazily (see the module doc).

    Args:
        key: An explicit key (Fernet key or any string); overrides everything else.
        key_file: Where to keep a generated key when neither ``key`` nor ``ARDEA_SECRET_KEY``
            is set; None and ``ephemeral=False`` means secrets cannot be stored.
        ephemeral: Without key and key file, use a random key that lives as long as the
            process (for in-memory databases).
    """

    def __init__(
        self,
        key: str | bytes | None = None,
        *,
        key_file: Path | None = None,
        ephemeral: bool = False,
    ) -> None:
        self._key = key
        self._key_file = key_file
        self._ephemeral = ephemeral
        self._fernet: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SecretCipher(key_file={self._key_file!r})"  # never the key

    def _cipher(self) -> Any:
        with self._lock:
            if self._fernet is None:
                from cryptography.fernet import Fernet

                self._fernet = Fernet(self._resolve_key())
            return self._fernet

    def _resolve_key(self) -> bytes:
        if self._key is not None:
            return _as_fernet_key(self._key)
        env_key = os.environ.get(ARDEA_SECRET_KEY)
        if env_key:
            return _as_fernet_key(env_key)
        if self._key_file is not None:
            return _read_or_create_key_file(self._key_file)
        if self._ephemeral:
            from cryptography.fernet import Fernet

            return Fernet.generate_key()
        raise InvalidArgumentError(
            f"Storing a webhook secret needs an encryption key: set {ARDEA_SECRET_KEY} "
            "(this database has no folder for a key file)."
        )

    def encrypt(self, plaintext: str) -> str:
        """The Fernet token of ``plaintext`` (ASCII)."""
        token: bytes = self._cipher().encrypt(plaintext.encode("utf-8"))
        return token.decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext of a token from :meth:`encrypt`.

        Raises:
            InvalidArgumentError: The token was made with another key, or is corrupt.
        """
        from cryptography.fernet import InvalidToken

        try:
            data: bytes = self._cipher().decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            raise InvalidArgumentError(
                "A webhook secret cannot be decrypted: the encryption key changed "
                f"({ARDEA_SECRET_KEY} or the key file); update the webhook's secret."
            ) from None
        return data.decode("utf-8")
