"""Tracking PINs: six random digits, stored only as a salted hash.

With a deployment's PIN key (``secrets.json``, never in the database): HMAC-SHA256 keyed by
it, ``hmac-sha256$salt$digest`` — a few microseconds, and a stolen database alone does not
give the PINs away (a six-digit PIN has 10⁶ values: without the key they cannot even be
tried). Without a key (tools and tests on a bare database): scrypt, ``scrypt$n$r$p$salt$
hash``, 40 ms per PIN — which only delays trying all 10⁶ values to hours. Both verify."""

from __future__ import annotations

import hashlib
import hmac
import queue
import secrets
import threading
from functools import cache

_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def new_pin() -> str:
    """A fresh six-digit PIN from the system's secure random source."""
    return f"{secrets.randbelow(10**6):06d}"


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=2**26)


HMAC = "hmac-sha256"
_UNKNOWN_KEY = secrets.token_bytes(32)  # for hmac hashes checked where no key is known


def _hmac(pin: str, salt: bytes, key: bytes) -> bytes:
    return hmac.new(key, salt + pin.encode(), hashlib.sha256).digest()


def hash_pin(pin: str, key: bytes | None = None) -> str:
    """The stored form of ``pin``: keyed HMAC with ``key``, else scrypt (hex fields)."""
    salt = secrets.token_bytes(16)
    if key:
        return f"{HMAC}${salt.hex()}${_hmac(pin, salt, key).hex()}"
    digest = _scrypt(pin, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


@cache
def _dummy(keyed: bool) -> str:
    return hash_pin(new_pin(), _UNKNOWN_KEY if keyed else None)


def verify_pin(pin: str, stored: str | None, key: bytes | None = None) -> bool:
    """Constant-time check of ``pin`` against a stored hash (either kind); None is checked
    against a dummy hash as slow as the store's own kind, and fails. An HMAC hash needs the
    key it was made with."""
    candidate = pin.strip().translate(_THAI_DIGITS) if isinstance(pin, str) else ""
    text = stored or _dummy(bool(key))
    try:
        algo, *fields = text.split("$")
        if algo == HMAC:
            salt, digest = fields
            got = _hmac(candidate, bytes.fromhex(salt), key or _UNKNOWN_KEY)
        elif algo == "scrypt":
            n, r, p, salt, digest = fields
            got = _scrypt(candidate, bytes.fromhex(salt), int(n), int(r), int(p))
        else:
            return False
        expected = bytes.fromhex(digest)
    except ValueError:
        return False
    ok = hmac.compare_digest(got, expected)
    usable = algo == "scrypt" or bool(key)
    return ok and usable and stored is not None and len(candidate) == 6


class PinPool:
    """Fresh (PIN, hash) pairs made ahead of time in a background thread (scrypt releases
    the GIL, so that runs on another core): opening a case takes one instead of spending tens
    of milliseconds hashing while citizens wait. Each pair is used once; when the pool is
    empty a pair is made on the spot."""

    def __init__(self, size: int = 16) -> None:
        self._pairs: queue.Queue[tuple[str, str]] = queue.Queue(maxsize=size)
        self._filler: threading.Thread | None = None
        self._lock = threading.Lock()

    def take(self) -> tuple[str, str]:
        self._start()
        try:
            return self._pairs.get_nowait()
        except queue.Empty:
            pin = new_pin()
            return pin, hash_pin(pin)

    def _start(self) -> None:
        with self._lock:
            if self._filler is None or not self._filler.is_alive():
                self._filler = threading.Thread(target=self._fill, name="pins", daemon=True)
                self._filler.start()

    def _fill(self) -> None:
        while True:
            pin = new_pin()
            self._pairs.put((pin, hash_pin(pin)))  # blocks while the pool is full
