"""The Damrongdham Centres (ศูนย์ดำรงธรรม) that receive cases.

The list lives in ``casestore/data/centres.csv``: the 76 provincial centres of the 2015
circular, in its order, with slugs spelled correctly (``mahasarakham``, ``sakonnakhon``).
ISO 3166-2 codes are ``TH-`` plus the two-digit DOPA province code (the numeric ISO
3166-2:TH subdivision codes are the DOPA codes); province names come from ``geothai``.
``phone`` is the national hotline 1567 until per-centre numbers are verified; ``lat``/``lon``
are empty because no offline source of coordinates has been reviewed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

__all__ = [
    "CENTRE_KINDS",
    "Centre",
    "CentreDataError",
    "centre_by_iso",
    "centre_by_slug",
    "centre_slugs",
    "load_centres",
    "parse_centres",
]

FIELDS: tuple[str, ...] = (
    "slug",
    "iso",
    "name_th",
    "name_en",
    "province_th",
    "province_en",
    "phone",
    "lat",
    "lon",
    "kind",
    "parent",
)
CENTRE_KINDS: frozenset[str] = frozenset({"province", "district"})

_SLUG_RE = re.compile(r"^[a-z]+$")
_ISO_RE = re.compile(r"^TH-\d\d$")
_PHONE_RE = re.compile(r"^[0-9][0-9 -]*[0-9]$")


class CentreDataError(ValueError):
    """The centre list is malformed; the message names the source and line."""


@dataclass(frozen=True, slots=True)
class Centre:
    """One Damrongdham Centre."""

    slug: str
    """Lowercase ASCII name used in XMPP addresses, such as ``chiangrai``."""
    iso: str
    """ISO 3166-2 code of the province, such as ``TH-57``."""
    name_th: str
    name_en: str
    province_th: str
    province_en: str
    phone: str
    lat: float | None
    lon: float | None
    kind: str
    """``province`` for the 76 provincial centres."""
    parent: str | None
    """Slug of the parent centre, ``None`` for a provincial centre."""

    @property
    def ref_prefix(self) -> str:
        """The ISO code without the dash, as used in case references (``TH57``)."""
        return self.iso.replace("-", "")


def _coordinate(value: str, low: float, high: float, where: str, name: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise CentreDataError(f"{where}: {name} {value!r} is not a number") from None
    if not low <= number <= high:
        raise CentreDataError(f"{where}: {name} {number} is outside {low}..{high}")
    return number


def parse_centres(text: str, source: str = "centres.csv") -> tuple[Centre, ...]:
    """Parse and validate centre CSV text; raise ``CentreDataError`` on any problem.

    Slugs are unique; ISO codes are unique among provincial centres (district centres,
    when added, share their province's code and name a provincial ``parent``).
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != FIELDS:
        raise CentreDataError(
            f"{source}: header must be {','.join(FIELDS)}, got {','.join(reader.fieldnames or [])}"
        )
    centres: list[Centre] = []
    seen_slug: dict[str, int] = {}
    seen_iso: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        where = f"{source} line {line}"
        if None in row or any(v is None for v in row.values()):
            raise CentreDataError(f"{where}: expected {len(FIELDS)} columns")
        row = {k: v.strip() for k, v in row.items()}
        slug, iso, kind = row["slug"], row["iso"], row["kind"]
        if not _SLUG_RE.match(slug):
            raise CentreDataError(f"{where}: slug {slug!r} must match ^[a-z]+$")
        if not _ISO_RE.match(iso):
            raise CentreDataError(f"{where}: iso {iso!r} must match ^TH-\\d\\d$")
        if slug in seen_slug:
            raise CentreDataError(
                f"{where}: duplicate slug {slug!r} (first on line {seen_slug[slug]})"
            )
        if kind == "province" and iso in seen_iso:
            raise CentreDataError(f"{where}: duplicate iso {iso!r} (first on line {seen_iso[iso]})")
        if kind not in CENTRE_KINDS:
            raise CentreDataError(f"{where}: kind {kind!r} must be one of {sorted(CENTRE_KINDS)}")
        for field in ("name_th", "name_en", "province_th", "province_en"):
            if not row[field]:
                raise CentreDataError(f"{where}: {field} is empty")
        if not _PHONE_RE.match(row["phone"]):
            raise CentreDataError(f"{where}: phone {row['phone']!r} is not a phone number")
        lat = _coordinate(row["lat"], -90.0, 90.0, where, "lat")
        lon = _coordinate(row["lon"], -180.0, 180.0, where, "lon")
        if (lat is None) != (lon is None):
            raise CentreDataError(f"{where}: give both lat and lon or neither")
        parent = row["parent"] or None
        if kind == "province" and parent:
            raise CentreDataError(f"{where}: a provincial centre has no parent")
        seen_slug[slug] = line
        if kind == "province":
            seen_iso[iso] = line
        centres.append(
            Centre(
                slug=slug,
                iso=iso,
                name_th=row["name_th"],
                name_en=row["name_en"],
                province_th=row["province_th"],
                province_en=row["province_en"],
                phone=row["phone"],
                lat=lat,
                lon=lon,
                kind=kind,
                parent=parent,
            )
        )
    if not centres:
        raise CentreDataError(f"{source}: no centres")
    _check_parents(centres, source)
    return tuple(centres)


def _check_parents(centres: Iterable[Centre], source: str) -> None:
    slugs = {c.slug for c in centres}
    for c in centres:
        if c.parent is not None and c.parent not in slugs:
            raise CentreDataError(f"{source}: centre {c.slug!r} has unknown parent {c.parent!r}")


def _data_text(name: str) -> str:
    """Read a file from the package's ``data/`` folder."""
    try:
        resource = files(__package__ or "casestore").joinpath("data").joinpath(name)
    except NotADirectoryError:
        # Python 3.11 cannot open resources of a package it resolved as a namespace package
        # (e.g. a stale editable install); the file is still right next to this module.
        return (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    return resource.read_text(encoding="utf-8")


@cache
def load_centres() -> tuple[Centre, ...]:
    """All centres from the packaged ``data/centres.csv``, validated, in file order."""
    return parse_centres(_data_text("centres.csv"), source="casestore/data/centres.csv")


@cache
def _by_slug() -> dict[str, Centre]:
    return {c.slug: c for c in load_centres()}


@cache
def _by_iso() -> dict[str, Centre]:
    return {c.iso: c for c in load_centres() if c.kind == "province"}


def centre_by_slug(slug: str) -> Centre | None:
    """The centre with this slug (case-insensitive), or ``None``."""
    return _by_slug().get(slug.strip().lower())


def centre_by_iso(iso: str) -> Centre | None:
    """The provincial centre for an ISO 3166-2 code such as ``TH-57`` (or ``TH57``), or ``None``."""
    code = iso.strip().upper()
    if re.fullmatch(r"TH\d\d", code):
        code = f"TH-{code[2:]}"
    return _by_iso().get(code)


@cache
def centre_slugs() -> frozenset[str]:
    """The slugs of all centres."""
    return frozenset(_by_slug())
