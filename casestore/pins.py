"""Tracking PINs: six random digits, stored only as a salted scrypt hash."""

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


def hash_pin(pin: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex) for storage."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


@cache
def _dummy() -> str:
    return hash_pin(new_pin())


def verify_pin(pin: str, stored: str | None) -> bool:
    """Constant-time check of ``pin`` against a stored hash; None hashes as much and fails."""
    candidate = pin.strip().translate(_THAI_DIGITS) if isinstance(pin, str) else ""
    try:
        algo, n, r, p, salt, digest = (stored or _dummy()).split("$")
        expected = bytes.fromhex(digest)
        got = _scrypt(candidate, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    ok = hmac.compare_digest(got, expected)
    return ok and algo == "scrypt" and stored is not None and len(candidate) == 6


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
