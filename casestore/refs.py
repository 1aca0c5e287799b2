"""Case references such as ``TH57-2569-000042``.

Prefix: the province's ISO 3166-2 code without the dash (``TH00`` when unknown); then the
Buddhist-era year in Bangkok time; then a six-digit sequence per prefix and year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    BANGKOK: timezone | ZoneInfo = ZoneInfo("Asia/Bangkok")
except ZoneInfoNotFoundError:  # slim images without tzdata; Thailand has no DST
    BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")

BE_OFFSET = 543
UNKNOWN_PREFIX = "TH00"
MAX_SEQ = 999_999

_PROVINCE = re.compile(r"TH-?([0-9]{2})", re.ASCII | re.IGNORECASE)
_REF = re.compile(r"(TH[0-9]{2})-([0-9]{4})-([0-9]{6})", re.ASCII | re.IGNORECASE)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@dataclass(frozen=True, slots=True)
class CaseRef:
    """A parsed case reference."""

    prefix: str  # "TH57"
    year: int  # Buddhist era, e.g. 2569
    seq: int  # 1..999999

    @property
    def province(self) -> str | None:
        """The ISO 3166-2 province code (``TH-57``), or None for ``TH00``."""
        return None if self.prefix == UNKNOWN_PREFIX else f"TH-{self.prefix[2:]}"

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:04d}-{self.seq:06d}"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """``dt`` as aware UTC; a naive datetime is taken to be UTC already."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def buddhist_year(dt: datetime | None = None) -> int:
    """The Buddhist-era year of ``dt`` (default now) in Bangkok time; naive means UTC."""
    return as_utc(dt or utcnow()).astimezone(BANGKOK).year + BE_OFFSET


def ref_prefix(province: str | None) -> str:
    """``TH-57`` (or ``TH57``) -> ``TH57``; None -> ``TH00``. ValueError otherwise."""
    if province is None:
        return UNKNOWN_PREFIX
    m = _PROVINCE.fullmatch(province.strip())
    if not m:
        raise ValueError(f"not a Thai ISO 3166-2 province code: {province!r}")
    return f"TH{m.group(1)}"


def format_ref(province: str | None, year: int, seq: int) -> str:
    """Format a reference: ``format_ref("TH-57", 2569, 42) == "TH57-2569-000042"``."""
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"sequence out of range: {seq}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    return str(CaseRef(ref_prefix(province), year, seq))


def parse_ref(text: object) -> CaseRef | None:
    """Parse a reference, any case, Thai digits allowed (``th57-2569-000042``); None if invalid."""
    if not isinstance(text, str):
        return None
    m = _REF.fullmatch(text.strip().translate(_THAI_DIGITS))
    if not m or int(m.group(3)) == 0:
        return None
    return CaseRef(m.group(1).upper(), int(m.group(2)), int(m.group(3)))
