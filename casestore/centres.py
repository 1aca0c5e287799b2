"""The Damrongdham Centres (ศูนย์ดำรงธรรม) that receive cases.

One reviewed data file, ``casestore/data/centres.csv``, holds every centre; its ``kind``
column sorts them into the sets a deployment can choose from (``CENTRE_SETS``):

``provinces`` (kind ``province``, the default)
    The 76 provincial centres of the 2015 circular, in its order, with slugs spelled
    correctly (``mahasarakham``, ``sakonnakhon``). These rows were written by hand.
``bangkok`` (kind ``bangkok``)
    ศูนย์ดำรงธรรมกรุงเทพมหานคร, slug ``bangkok``, ``TH-10``.
``national`` (kind ``national``)
    The Ministry of Interior's centre (``moi``) and the Department of Provincial
    Administration's centre (``dopa``). They serve no one province, so their ``iso`` and
    province names are empty.
``districts`` (kind ``district``)
    One centre per district (อำเภอ) and per Bangkok district (เขต) in ``geothai``, slug
    ``<province slug>-<district>``, ``parent`` = the provincial centre (``bangkok`` for a
    เขต), ``district_code`` = the four-digit DOPA code. These rows, the Bangkok row and the
    national rows are written by ``scripts/gen_districts.py``; do not edit them by hand.

ISO 3166-2 codes are ``TH-`` plus the two-digit DOPA province code (the numeric ISO
3166-2:TH subdivision codes are the DOPA codes); province and district names come from
``geothai``. ``phone`` is the national hotline 1567 until per-centre numbers are verified;
``lat``/``lon`` are empty because no offline source of coordinates has been reviewed.

``load_centres()`` returns the 76 provincial centres only; ``load_centre_sets()`` any
combination of sets; ``all_centres()`` every row. ``centre_by_slug``,
``centre_by_district_code`` and ``children_of`` search every set; ``centre_by_iso`` only
the sets it is given (the provinces by default), since it routes citizens.
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
    "CENTRE_SETS",
    "DEFAULT_CENTRE_SETS",
    "SLUG_MAX_LENGTH",
    "Centre",
    "CentreDataError",
    "all_centres",
    "centre_by_district_code",
    "centre_by_iso",
    "centre_by_slug",
    "centre_slugs",
    "children_of",
    "load_centre_sets",
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
    "district_code",
    "district_th",
    "district_en",
)
CENTRE_SETS: tuple[str, ...] = ("provinces", "bangkok", "national", "districts")
"""The sets of centres a deployment can provision, in the order they appear in the file."""
DEFAULT_CENTRE_SETS: tuple[str, ...] = ("provinces",)
SET_KIND: dict[str, str] = {
    "provinces": "province",
    "bangkok": "bangkok",
    "national": "national",
    "districts": "district",
}
CENTRE_KINDS: frozenset[str] = frozenset(SET_KIND.values())
SLUG_MAX_LENGTH = 64

_SLUG_RE = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
_ISO_RE = re.compile(r"^TH-\d\d$")
_PHONE_RE = re.compile(r"^[0-9][0-9 -]*[0-9]$")
_DISTRICT_CODE_RE = re.compile(r"^\d{4}$")
_DISTRICT_FIELDS = ("district_code", "district_th", "district_en")


class CentreDataError(ValueError):
    """The centre list is malformed; the message names the source and line."""


@dataclass(frozen=True, slots=True)
class Centre:
    """One Damrongdham Centre."""

    slug: str
    """Lowercase ASCII XMPP localpart, such as ``chiangrai`` or ``chiangrai-maesai``."""
    iso: str | None
    """ISO 3166-2 code of the province, such as ``TH-57``; ``None`` for a national centre."""
    name_th: str
    name_en: str
    province_th: str
    """Province name; empty for a national centre."""
    province_en: str
    phone: str
    lat: float | None
    lon: float | None
    kind: str
    """``province``, ``bangkok``, ``national`` or ``district``."""
    parent: str | None
    """Slug of the parent centre (a district's provincial centre), else ``None``."""
    district_code: str | None = None
    """Four-digit DOPA district code (``5709``) of a district centre, else ``None``."""
    district_th: str | None = None
    """The district's name in ``geothai`` (``แม่สาย``, ``เขตพระนคร``), else ``None``."""
    district_en: str | None = None
    """The district's English name in ``geothai`` (``Mae Sai``), else ``None``."""

    @property
    def ref_prefix(self) -> str:
        """The ISO code without the dash, as used in case references (``TH57``; ``TH00``
        for a national centre)."""
        return self.iso.replace("-", "") if self.iso else "TH00"


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


def _check_slug(slug: str, where: str) -> None:
    if not _SLUG_RE.match(slug):
        raise CentreDataError(
            f"{where}: slug {slug!r} must be lowercase a-z words joined by single hyphens "
            r"(^[a-z]+(?:-[a-z]+)*$)"
        )
    if len(slug) > SLUG_MAX_LENGTH:
        raise CentreDataError(
            f"{where}: slug {slug!r} is {len(slug)} characters, at most {SLUG_MAX_LENGTH}"
        )


def _check_row(row: dict[str, str], where: str) -> None:
    """Rules of one row on its own; rules across rows are in ``parse_centres``."""
    slug, iso, kind, parent = row["slug"], row["iso"], row["kind"], row["parent"]
    _check_slug(slug, where)
    if kind not in CENTRE_KINDS:
        raise CentreDataError(f"{where}: kind {kind!r} must be one of {sorted(CENTRE_KINDS)}")
    if kind == "national":
        if iso and not _ISO_RE.match(iso):
            raise CentreDataError(f"{where}: iso {iso!r} must be empty or match ^TH-\\d\\d$")
    elif not _ISO_RE.match(iso):
        raise CentreDataError(f"{where}: iso {iso!r} must match ^TH-\\d\\d$")
    if kind == "bangkok" and iso != "TH-10":
        raise CentreDataError(f"{where}: the Bangkok centre has iso 'TH-10', not {iso!r}")
    required = ["name_th", "name_en"]
    if iso:
        required += ["province_th", "province_en"]
    if kind == "district":
        required += _DISTRICT_FIELDS
    for field in required:
        if not row[field]:
            raise CentreDataError(f"{where}: {field} is empty")
    if kind != "district":
        for field in _DISTRICT_FIELDS:
            if row[field]:
                raise CentreDataError(f"{where}: {field} is only for district centres")
    if not _PHONE_RE.match(row["phone"]):
        raise CentreDataError(f"{where}: phone {row['phone']!r} is not a phone number")
    if kind in ("province", "bangkok") and parent:
        raise CentreDataError(f"{where}: a {kind} centre has no parent")
    if kind == "district":
        code = row["district_code"]
        if not _DISTRICT_CODE_RE.match(code):
            raise CentreDataError(f"{where}: district_code {code!r} must be four digits")
        if code[:2] != iso[3:]:
            raise CentreDataError(f"{where}: district_code {code!r} is not in province {iso}")
        if not parent:
            raise CentreDataError(f"{where}: a district centre needs a parent")
        if not slug.startswith(f"{parent}-"):
            raise CentreDataError(
                f"{where}: district slug {slug!r} must start with its parent's slug "
                f"{parent + '-'!r}"
            )


def parse_centres(text: str, source: str = "centres.csv") -> tuple[Centre, ...]:
    """Parse and validate centre CSV text; raise ``CentreDataError`` on any problem.

    Slugs are unique; ISO codes are unique among provincial centres and the Bangkok
    centre; district codes are unique. A district centre shares its province's ISO code
    and names as ``parent`` the provincial (or Bangkok) centre of that code.
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != FIELDS:
        raise CentreDataError(
            f"{source}: header must be {','.join(FIELDS)}, got {','.join(reader.fieldnames or [])}"
        )
    centres: list[Centre] = []
    lines: dict[str, int] = {}
    seen_slug: dict[str, int] = {}
    seen_iso: dict[str, int] = {}
    seen_district: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        where = f"{source} line {line}"
        if None in row or any(v is None for v in row.values()):
            raise CentreDataError(f"{where}: expected {len(FIELDS)} columns")
        row = {k: v.strip() for k, v in row.items()}
        _check_row(row, where)
        slug, iso, kind = row["slug"], row["iso"], row["kind"]
        if slug in seen_slug:
            raise CentreDataError(
                f"{where}: duplicate slug {slug!r} (first on line {seen_slug[slug]})"
            )
        if kind in ("province", "bangkok"):
            if iso in seen_iso:
                raise CentreDataError(
                    f"{where}: duplicate iso {iso!r} (first on line {seen_iso[iso]})"
                )
            seen_iso[iso] = line
        code = row["district_code"]
        if code:
            if code in seen_district:
                raise CentreDataError(
                    f"{where}: duplicate district_code {code!r} "
                    f"(first on line {seen_district[code]})"
                )
            seen_district[code] = line
        lat = _coordinate(row["lat"], -90.0, 90.0, where, "lat")
        lon = _coordinate(row["lon"], -180.0, 180.0, where, "lon")
        if (lat is None) != (lon is None):
            raise CentreDataError(f"{where}: give both lat and lon or neither")
        seen_slug[slug] = line
        lines[slug] = line
        centres.append(
            Centre(
                slug=slug,
                iso=iso or None,
                name_th=row["name_th"],
                name_en=row["name_en"],
                province_th=row["province_th"],
                province_en=row["province_en"],
                phone=row["phone"],
                lat=lat,
                lon=lon,
                kind=kind,
                parent=row["parent"] or None,
                district_code=code or None,
                district_th=row["district_th"] or None,
                district_en=row["district_en"] or None,
            )
        )
    if not centres:
        raise CentreDataError(f"{source}: no centres")
    _check_parents(centres, lines, source)
    return tuple(centres)


def _check_parents(centres: Iterable[Centre], lines: dict[str, int], source: str) -> None:
    by_slug = {c.slug: c for c in centres}
    for c in by_slug.values():
        if c.parent is None:
            continue
        where = f"{source} line {lines[c.slug]}"
        parent = by_slug.get(c.parent)
        if parent is None:
            raise CentreDataError(f"{where}: centre {c.slug!r} has unknown parent {c.parent!r}")
        if c.kind == "district" and (
            parent.kind not in ("province", "bangkok") or parent.iso != c.iso
        ):
            raise CentreDataError(
                f"{where}: district centre {c.slug!r} must have the {c.iso} provincial centre "
                f"as parent, not {c.parent!r}"
            )


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
def all_centres() -> tuple[Centre, ...]:
    """Every centre of every set from the packaged ``data/centres.csv``, in file order."""
    return parse_centres(_data_text("centres.csv"), source="casestore/data/centres.csv")


def _set_names(sets: Iterable[str]) -> frozenset[str]:
    names = [sets] if isinstance(sets, str) else list(sets)
    unknown = sorted({str(n) for n in names} - set(CENTRE_SETS))
    if unknown:
        raise ValueError(
            f"unknown centre set(s) {', '.join(map(repr, unknown))}; "
            f"valid sets: {', '.join(CENTRE_SETS)}"
        )
    return frozenset(names)


@cache
def _load_sets(sets: frozenset[str]) -> tuple[Centre, ...]:
    kinds = {SET_KIND[s] for s in sets}
    return tuple(c for c in all_centres() if c.kind in kinds)


def load_centre_sets(sets: Iterable[str]) -> tuple[Centre, ...]:
    """The centres of the named sets (see ``CENTRE_SETS``), in file order, each once.

    A district's parent may lie outside the sets asked for (``["districts"]`` alone).
    Raises ``ValueError`` naming the valid sets for an unknown set name.
    """
    return _load_sets(_set_names(sets))


def load_centres() -> tuple[Centre, ...]:
    """The 76 provincial centres (the default set), validated, in file order."""
    return _load_sets(frozenset(DEFAULT_CENTRE_SETS))


@cache
def _by_slug() -> dict[str, Centre]:
    return {c.slug: c for c in all_centres()}


@cache
def _by_iso() -> dict[str, Centre]:
    return {c.iso: c for c in all_centres() if c.iso and c.kind in ("province", "bangkok")}


@cache
def _by_district_code() -> dict[str, Centre]:
    return {c.district_code: c for c in all_centres() if c.district_code}


@cache
def _children() -> dict[str, tuple[Centre, ...]]:
    grouped: dict[str, list[Centre]] = {}
    for c in all_centres():
        if c.parent is not None:
            grouped.setdefault(c.parent, []).append(c)
    return {k: tuple(v) for k, v in grouped.items()}


def _kinds(sets: Iterable[str]) -> frozenset[str]:
    return frozenset(SET_KIND[s] for s in _set_names(sets))


def centre_by_slug(slug: str, sets: Iterable[str] | None = None) -> Centre | None:
    """The centre with this slug (case-insensitive), or ``None``.

    By default any set is searched (a case may belong to any centre); pass ``sets`` to
    accept only the centres a deployment provisioned.
    """
    centre = _by_slug().get(slug.strip().lower())
    if centre is None or sets is None or centre.kind in _kinds(sets):
        return centre
    return None


def centre_by_iso(iso: str, sets: Iterable[str] = DEFAULT_CENTRE_SETS) -> Centre | None:
    """The centre that serves a whole province, for an ISO 3166-2 code such as ``TH-57`` (or
    ``TH57``), or ``None``.

    That is the provincial centre; for ``TH-10`` it is the Bangkok centre, but only when
    ``sets`` includes ``"bangkok"``: by default (the 76 provincial centres) Bangkok has no
    centre, since a deployment without the ``bangkok`` set has no room to route it to.
    """
    code = iso.strip().upper()
    if re.fullmatch(r"TH\d\d", code):
        code = f"TH-{code[2:]}"
    centre = _by_iso().get(code)
    if centre is None or centre.kind not in _kinds(sets):
        return None
    return centre


def centre_by_district_code(code: str) -> Centre | None:
    """The district centre for a four-digit DOPA district code such as ``5705``, or ``None``."""
    return _by_district_code().get(code.strip())


def children_of(slug: str) -> tuple[Centre, ...]:
    """The centres whose parent is ``slug`` (case-insensitive), in file order; empty if none."""
    return _children().get(slug.strip().lower(), ())


@cache
def centre_slugs() -> frozenset[str]:
    """The slugs of the default set: the 76 provincial centres of ``load_centres()``."""
    return frozenset(c.slug for c in load_centres())
