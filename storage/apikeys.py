"""API keys of client applications: DOCGEN_API_KEYS for simple set-ups, a file of key hashes
(written by `docgen keys create`, by default DATA_DIR/api-keys) for production, its life cycle
(create, list, revoke; one key per name) and the constant-time check of a presented key.

The file holds one key per line, ``NAME sha256:HEX ROLE`` (role ``client`` or ``admin``); ``#``
starts a comment. Only hashes are stored: the key itself is printed once, when it is made. Keys
are 256-bit random tokens, so one SHA-256 is enough (no password stretching needed). The file is
re-read when it changes, so a new key works without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ApiKey", "KeyFormatError", "KeyRing", "append_key", "hash_key", "new_key", "parse_env_keys",
           "read_key_file", "revoke_key"]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
"""A client name: letters, digits, dot, underscore, dash; up to 64 characters."""

MIN_KEY_LENGTH = 16
"""Shortest key accepted in DOCGEN_API_KEYS."""

KEY_PREFIX = "dgk_"
"""Prefix of generated keys, so a leaked one is recognisable."""


class KeyFormatError(ValueError):
    """DOCGEN_API_KEYS or the key file can't be read; the message says where."""


@dataclass(frozen=True)
class ApiKey:
    """One client key, known only by its hash."""

    name: str
    digest: str
    admin: bool


def hash_key(key: str) -> str:
    """The stored form of a key: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh random key (256 bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def parse_env_keys(text: str) -> list[ApiKey]:
    """``name:key[:admin],...`` -> keys; KeyFormatError names the bad entry."""
    keys = []
    for number, entry in enumerate((part.strip() for part in text.split(",")), start=1):
        if not entry:
            continue
        fields = entry.split(":")
        valid = (len(fields) in (2, 3) and NAME_PATTERN.match(fields[0]) and len(fields[1]) >= MIN_KEY_LENGTH
                 and (len(fields) == 2 or fields[2] == "admin"))
        if not valid:
            raise KeyFormatError(f"DOCGEN_API_KEYS entry {number} is not name:key[:admin] (a name of letters, "
                                 f"digits, '.', '_', '-' and a key of at least {MIN_KEY_LENGTH} characters)")
        keys.append(ApiKey(fields[0], hash_key(fields[1]), admin=len(fields) == 3))
    return keys


def read_key_file(path: Path) -> list[ApiKey]:
    """The keys of a key file; KeyFormatError names the bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyFormatError(f"cannot read the API key file {path}: {exc.strerror or exc}") from None
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if (len(fields) != 3 or not NAME_PATTERN.match(fields[0])
                or not re.fullmatch(r"sha256:[0-9a-f]{64}", fields[1]) or fields[2] not in ("client", "admin")):
            raise KeyFormatError(f"{path}:{number}: expected 'NAME sha256:HEX client|admin'")
        keys.append(ApiKey(fields[0], fields[1], admin=fields[2] == "admin"))
    return keys


def append_key(path: Path, name: str, admin: bool) -> str:
    """Make a key for ``name``, append its hash to the file (created 0600) and return the key."""
    if not NAME_PATTERN.match(name):
        raise KeyFormatError(f"'{name}' is not a valid client name (letters, digits, '.', '_', '-'; up to 64)")
    if path.exists():
        # refuse to append to a file the service could not read, and a second key of one name
        if any(existing.name == name for existing in read_key_file(path)):
            raise KeyFormatError(f"a key named '{name}' exists already: revoke it first "
                                 f"(`docgen keys revoke {name}`) or choose another name")
    key = new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as file:
        file.write(f"{name} {hash_key(key)} {'admin' if admin else 'client'}\n")
    return key


def revoke_key(path: Path, name: str) -> None:
    """Remove the key ``name`` from the file (rewritten whole, then renamed over it, so a reader sees
    the old file or the new one). Every web process re-reads the file on its next request."""
    keys = read_key_file(path) if path.exists() else []
    if not any(key.name == name for key in keys):
        raise KeyFormatError(f"no key named '{name}' in {path}")
    kept = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
            if (line.split("#", 1)[0].split() or [""])[0] != name]
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.writelines(kept)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class KeyRing:
    """Every configured key; checks a presented key against all of them in constant time."""

    def __init__(self, env_keys: list[ApiKey], file: Path | None = None, *, optional: bool = False) -> None:
        """``optional``: the file is the default one under the data folder, which may not exist (yet):
        while it doesn't, it holds no keys; once `docgen keys create` makes it, its keys count at once."""
        self.env_keys = env_keys
        self.file = file
        self.optional = optional
        self._file_keys: list[ApiKey] = []
        self._file_stamp: tuple[int, int, int] | None = None
        if file is not None:
            self._reload()

    def _reload(self) -> None:
        assert self.file is not None
        try:
            stat = self.file.stat()
        except FileNotFoundError:
            if not self.optional:
                raise KeyFormatError(f"cannot read the API key file {self.file}: it does not exist") from None
            self._file_keys, self._file_stamp = [], None
            return
        except OSError as exc:
            raise KeyFormatError(f"cannot read the API key file {self.file}: {exc.strerror or exc}") from None
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)  # a rename (revocation) is a new inode
        if stamp != self._file_stamp:
            self._file_keys = read_key_file(self.file)
            self._file_stamp = stamp

    def keys(self) -> list[ApiKey]:
        """The keys now: the file is re-read when it changed (a bad edit keeps the last good keys)."""
        if self.file is not None:
            try:
                self._reload()
            except KeyFormatError:
                pass
        return self.env_keys + self._file_keys

    @property
    def configured(self) -> bool:
        """Whether any key is configured (else the API is open)."""
        if self.optional and self.file is not None:
            return bool(self.env_keys) or self.file.exists()
        return bool(self.env_keys) or self.file is not None

    def check(self, presented: str) -> ApiKey | None:
        """The key matching ``presented``, comparing against every key so timing reveals nothing."""
        digest = hash_key(presented)
        found = None
        for key in self.keys():
            if hmac.compare_digest(key.digest, digest) and found is None:
                found = key
        return found
