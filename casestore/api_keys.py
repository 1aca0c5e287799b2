"""Agencies' API keys for the Open311 POST endpoint.

A key reads ``dd311_<id>_<48 hex digits>`` (192 random bits). Only its SHA-256 is stored
(table ``api_keys``), so a copy of the database holds no usable key; the key is shown once,
when it is made. Checking a key looks its row up by the id inside it and compares the hashes
in constant time (a dummy hash when there is no such row), then records ``last_used_at``.
A revoked key stays listed with ``revoked_at`` and never works again.

``agency`` names who holds the key. It becomes the local part of the reserved address of
the cases the agency opens (``<agency>@open311.invalid``), so it is lowercase a–z, 0–9,
``.``, ``_`` and ``-``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .models import ApiKey
from .refs import as_utc, utcnow
from .store import CaseStore

__all__ = [
    "AGENCY_RE",
    "ApiKeyView",
    "create_key",
    "hash_key",
    "list_keys",
    "revoke_key",
    "valid_agency",
    "verify_key",
]

KEY_PREFIX = "dd311"
MAX_KEY_LENGTH = 200  # anything longer is not one of ours; not even hashed
AGENCY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
_KEY_RE = re.compile(rf"^{KEY_PREFIX}_([1-9][0-9]{{0,8}})_([0-9a-f]{{48}})$")
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    """One key as stored (never the key itself)."""

    id: int
    agency: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def of(cls, row: ApiKey) -> ApiKeyView:
        return cls(
            id=row.id,
            agency=row.agency,
            label=row.label,
            created_at=as_utc(row.created_at),
            last_used_at=None if row.last_used_at is None else as_utc(row.last_used_at),
            revoked_at=None if row.revoked_at is None else as_utc(row.revoked_at),
        )


def hash_key(key: str) -> str:
    """Hex SHA-256 of a key (the key has 192 random bits: a slow hash adds nothing)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def valid_agency(agency: str) -> bool:
    """Whether ``agency`` can name an agency (and the local part of its cases' address)."""
    return bool(AGENCY_RE.match(agency))


def create_key(
    store: CaseStore, agency: str, label: str = "", *, now: datetime | None = None
) -> tuple[ApiKeyView, str]:
    """Make a key for ``agency``; returns (the stored row, the key in clear — shown once)."""
    if not valid_agency(agency):
        raise ValueError(
            f"agency {agency!r} must be 1–64 characters of a-z, 0-9, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    label = label.strip()
    if len(label) > 200:
        raise ValueError("label is longer than 200 characters")
    at = as_utc(now or utcnow())
    with store.writing() as s:
        row = ApiKey(
            agency=agency,
            label=label,
            key_hash=secrets.token_hex(32),  # a placeholder until the id is known
            created_at=at,
            last_used_at=None,
            revoked_at=None,
        )
        s.add(row)
        s.flush()
        key = f"{KEY_PREFIX}_{row.id}_{secrets.token_hex(24)}"
        row.key_hash = hash_key(key)
        s.flush()
        return ApiKeyView.of(row), key


def list_keys(store: CaseStore) -> list[ApiKeyView]:
    """Every key, revoked ones too, in the order they were made."""
    with store.reading() as s:
        return [ApiKeyView.of(r) for r in s.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(store: CaseStore, key_id: int, *, now: datetime | None = None) -> ApiKeyView | None:
    """Revoke a key for good (None when there is no such key; revoking twice keeps the
    first time)."""
    at = as_utc(now or utcnow())
    with store.writing() as s:
        row = s.get(ApiKey, key_id, with_for_update=True)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = at
            s.flush()
        return ApiKeyView.of(row)


def verify_key(store: CaseStore, key: object, *, now: datetime | None = None) -> ApiKeyView | None:
    """The active key that ``key`` is, or None; records when it was last used.

    The hashes are compared in constant time, against a dummy when the key names no row, so
    a wrong key takes as long whether or not its id exists.
    """
    text = key.strip() if isinstance(key, str) else ""
    if len(text) > MAX_KEY_LENGTH:
        text = ""
    m = _KEY_RE.match(text)
    row: ApiKeyView | None = None
    expected = _DUMMY_HASH
    if m:
        with store.reading() as s:
            found = s.get(ApiKey, int(m.group(1)))
            if found is not None:
                row, expected = ApiKeyView.of(found), found.key_hash
    same = hmac.compare_digest(hash_key(text).encode(), expected.encode())
    if not (same and m and row is not None and row.active):
        return None
    at = as_utc(now or utcnow())
    with store.writing() as s:
        found = s.get(ApiKey, row.id, with_for_update=True)
        if found is None or found.revoked_at is not None:  # revoked meanwhile
            return None
        found.last_used_at = at
        s.flush()
        return ApiKeyView.of(found)
