"""Keyed pseudonyms for person identifiers, applied at the door by every connector.

A plain hash of a BSN is no pseudonym: there are only ~9·10^7 valid BSNs, so a table of all
their hashes is quickly built. HMAC-SHA256 with a secret key is, as long as the key stays
outside the pipeline and its outputs. The key comes from VH_PSEUDONYM_KEY (hex or text) or
from the file named by VH_KEY_FILE. In demo mode (the default) a local key file is created
under `.secrets/` in the project, which git ignores; with VH_MODE=production the connectors
refuse to run without a configured key, with a key shorter than MIN_PRODUCTION_KEY_BYTES, or
with a key file inside the project or the data folder, or readable by other users.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from sources.paths import PROJECT_ROOT, data_paths

DEMO_KEY_FILE = PROJECT_ROOT / ".secrets" / "pseudonym.key"
MIN_PRODUCTION_KEY_BYTES = 32  # 256 bits: as long as the HMAC's own output


class MissingKeyError(RuntimeError):
    """Raised in production mode when no pseudonymisation key is configured."""


def production_mode() -> bool:
    return os.environ.get("VH_MODE", "demo").lower() == "production"


def load_key() -> bytes:
    """The pseudonymisation key, from the environment, a key file, or (demo only) a local file."""
    if value := os.environ.get("VH_PSEUDONYM_KEY"):
        return _strong_enough(value.encode(), "VH_PSEUDONYM_KEY")
    if path := os.environ.get("VH_KEY_FILE"):
        key_file = Path(path)
        if not key_file.is_file():
            raise MissingKeyError(f"VH_KEY_FILE points to {key_file}, which does not exist")
        if production_mode():
            _check_key_file_place(key_file.resolve())
        return _strong_enough(key_file.read_bytes().strip(), f"the key file {key_file}")
    if production_mode():
        raise MissingKeyError(
            "VH_MODE=production needs a pseudonymisation key: set VH_PSEUDONYM_KEY or VH_KEY_FILE "
            "(a file outside the data folder, readable only by the pipeline's user)"
        )
    if not DEMO_KEY_FILE.exists():
        DEMO_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEMO_KEY_FILE.write_text(secrets.token_hex(32))
        DEMO_KEY_FILE.chmod(0o600)
    return DEMO_KEY_FILE.read_bytes().strip()


def key_problem() -> str | None:
    """Why the pipeline may not start (production without a usable key), or None: checked before anything runs."""
    try:
        load_key()
    except MissingKeyError as problem:
        return str(problem)
    return None


def _strong_enough(key: bytes, where: str) -> bytes:
    if production_mode() and len(key) < MIN_PRODUCTION_KEY_BYTES:
        raise MissingKeyError(
            f"VH_MODE=production needs a pseudonymisation key of at least {MIN_PRODUCTION_KEY_BYTES} bytes; "
            f"{where} holds {len(key)} (make one with: openssl rand -hex 32)"
        )
    return key


def _check_key_file_place(key_file: Path) -> None:
    """In production the key lives apart from what it protects, readable by the pipeline's user only."""
    for name, folder in (("the project (a repository)", PROJECT_ROOT), ("the data folder", data_paths().root)):
        if key_file.is_relative_to(folder.resolve()):
            raise MissingKeyError(f"VH_KEY_FILE {key_file} lies inside {name}: keep the key outside both")
    if key_file.stat().st_mode & 0o077:
        raise MissingKeyError(f"VH_KEY_FILE {key_file} is readable by other users: chmod 600 it")


class Pseudonymiser:
    """Turns identifiers into stable keyed pseudonyms; the domain keeps BSNs and names apart."""

    def __init__(self, key: bytes | None = None) -> None:
        # HMAC-SHA256 (RFC 2104) made from its two keyed hash states, copied per value: keying an HMAC,
        # or even copying one, costs more than hashing a short value
        key = key if key is not None else load_key()
        self._key = key
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in padded))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in padded))

    def __reduce__(self) -> tuple[type[Pseudonymiser], tuple[bytes]]:
        # a connector's worker processes (sources/connectors/workers.py) get the key, not hash states
        return Pseudonymiser, (self._key,)

    def pseudonym(self, domain: str, value: str | None) -> str | None:
        return self.each(domain, [value])[0]

    def each(self, domain: str, values: Iterable[str | None]) -> list[str | None]:
        """The pseudonym of each value, hashed one by one (a repeat is hashed again). The connectors give
        a column's distinct values: looking up repeats among values that have none cost as much again as
        the hashing (0.6 µs a value)."""
        values = values.tolist() if hasattr(values, "tolist") else values  # a pandas column iterates slowly
        inner = self._inner_with(domain).copy  # bound once: this loop runs per person in a large delivery
        outer = self._outer.copy
        pseudonyms: list[str | None] = []
        for value in values:
            if not isinstance(value, str) or value == "":  # None or a missing value (NaN) from pandas
                pseudonyms.append(None)
                continue
            message = inner()
            message.update(value.encode())
            keyed = outer()
            keyed.update(message.digest())
            pseudonyms.append(keyed.hexdigest()[:32])
        return pseudonyms

    def _inner_with(self, domain: str) -> hashlib._Hash:
        """The inner hash with the domain taken in: the message is f"{domain}:{value}"."""
        inner = self._inner.copy()
        inner.update(f"{domain}:".encode())
        return inner
