"""Names and codes of Thai provinces, districts and subdistricts.

Official names come from ``geothai``; the names people actually write (``aliases_th``,
``aliases_en``) and the names that are also ordinary words (``needs_marker_th``,
``needs_marker_en``) from ``data/places.json``, reviewed by hand (see bots/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import geothai

from ._data import places_json

#: What a name can be: (kind, ISO code, district code); kind ``p`` province, ``d`` district.
Entry = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class Province:
    iso: str
    """``TH-57``"""
    name_th: str
    name_en: str

    @property
    def code(self) -> str:
        """The two-digit DOPA code (``57``)."""
        return self.iso[3:]

    @property
    def address_th(self) -> str:
        """How an address names it: ``จ.เชียงราย``; Bangkok (no จังหวัด) by its name."""
        return self.name_th if self.iso == "TH-10" else f"จ.{self.name_th}"


def normal_iso(iso: str) -> str:
    """``TH-57`` for ``th-57``, ``TH57`` or `` TH-57 ``; anything else upper-cased as is."""
    code = iso.strip().upper()
    if re.fullmatch(r"TH\d\d", code):
        code = f"TH-{code[2:]}"
    return code


@cache
def _provinces() -> dict[str, Province]:
    return {
        f"TH-{p.code}": Province(f"TH-{p.code}", p.name_th, p.name_en) for p in geothai.provinces()
    }


def provinces() -> tuple[Province, ...]:
    """The 77 provinces (Bangkok included), in geothai's (code) order."""
    return tuple(_provinces().values())


def province(iso: str | None) -> Province | None:
    """The province of an ISO 3166-2 code (``TH-57`` or ``TH57``), else ``None``."""
    return _provinces().get(normal_iso(iso)) if iso else None


def address_th(district: str | None, iso: str | None) -> str | None:
    """``อ.แม่สาย จ.เชียงราย`` (``เขตบางรัก กรุงเทพมหานคร``) from a district name as stored on a
    case and a province code; either part may be missing; ``None`` when both are."""
    parts = []
    if district:
        parts.append(district if district.startswith(("อ.", "เขต")) else f"อ.{district}")
    found = province(iso)
    if found is not None:
        parts.append(found.address_th)
    return " ".join(parts) or None


def canon_en(text: str) -> str:
    """English place names compared in lower case with spaces and hyphens as one space."""
    return re.sub(r"[\s\-]+", " ", text.lower())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Every place name and what it can be."""

    th: dict[str, list[Entry]]
    """Thai name (official, alias, Bangkok's เขต without the word) → what it can be."""
    en: dict[str, list[Entry]]
    """English name as :func:`canon_en` writes it (and provinces without spaces) → …"""
    needs_marker_th: frozenset[str]
    """Thai names that are ordinary words: a place only after จ./อ./… or standing alone."""
    needs_marker_en: frozenset[str]
    province_names: dict[str, str]
    """ISO code → Thai name."""
    districts: dict[str, tuple[str, str]]
    """DOPA district code → (Thai name as geothai writes it, ISO code of its province)."""
    district_by_name: dict[str, str]
    """Thai district name → DOPA code (the last district of that name)."""


@cache
def gazetteer() -> Gazetteer:
    data = places_json()
    th: dict[str, list[Entry]] = {}

    def add(name: str, entry: Entry) -> None:
        bucket = th.setdefault(name, [])
        if entry not in bucket:
            bucket.append(entry)

    names: dict[str, str] = {}
    for p in geothai.provinces():
        iso = f"TH-{p.code}"
        names[iso] = p.name_th
        add(p.name_th, ("p", iso, None))
    for name, iso in data["aliases_th"].items():
        add(name, ("p", iso, None))
    districts: dict[str, tuple[str, str]] = {}
    en: dict[str, list[Entry]] = {}
    for p in geothai.provinces():
        iso = f"TH-{p.code}"
        en.setdefault(canon_en(p.name_en), []).append(("p", iso, None))
        en.setdefault(canon_en(p.name_en).replace(" ", ""), []).append(("p", iso, None))
        for d in geothai.districts(p.code):
            districts[d.code] = (d.name_th, iso)
            add(d.name_th, ("d", iso, d.code))
            if d.name_th.startswith("เขต") and len(d.name_th) > 5:
                add(d.name_th[3:], ("d", iso, d.code))
            key = canon_en(d.name_en)
            if len(key) >= 5 and not key.startswith("mueang"):
                en.setdefault(key, []).append(("d", iso, d.code))
    for name, iso in data["aliases_en"].items():
        en.setdefault(canon_en(name), []).append(("p", iso, None))
    return Gazetteer(
        th=th,
        en=en,
        needs_marker_th=frozenset(data["needs_marker_th"]),
        needs_marker_en=frozenset(data["needs_marker_en"]),
        province_names=names,
        districts=districts,
        district_by_name={v[0]: k for k, v in districts.items()},
    )


@cache
def subdistricts() -> dict[str, list[str]]:
    """Subdistrict (ตำบล) name → codes of the districts that have one of that name."""
    out: dict[str, list[str]] = {}
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            for s in geothai.subdistricts(d.code):
                out.setdefault(s.name_th, []).append(d.code)
    return out


def district_name(code: str) -> str | None:
    """The Thai name of a district as geothai writes it (``แม่สาย``, ``เขตบางรัก``)."""
    found = gazetteer().districts.get(code)
    return found[0] if found else None


def district_code(name: str, province: str | None = None) -> str | None:
    """The DOPA code of a district written as geothai does (or without เขต/อ.), if known;
    only in ``province`` (an ISO code) when given. Four digits are taken as a code."""
    th = gazetteer().th
    name = re.sub(r"^(?:อำเภอ|อ\.)\s*", "", name.strip())
    if re.fullmatch(r"\d{4}", name):
        return name
    for candidate in (name, "เขต" + name):
        for kind, iso, code in th.get(candidate, []):
            if kind == "d" and (province is None or iso == province):
                return code
    return None
