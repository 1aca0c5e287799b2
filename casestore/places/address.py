"""The province and district an address names (Open311's ``address_string``).

Stricter than the triage's reading of free text (``bots/locate.py``): Thai province names
count after จ./จังหวัด, or bare unless they are ordinary words (เลย, ตาก, แพร่, น่าน); English
names as words; ``TH-57`` as is. Districts only after อ./อำเภอ/เขต or as ``… district``.
"""

from __future__ import annotations

import re

import geothai

from .gazetteer import province, provinces

_ORDINARY_WORDS = frozenset({"เลย", "ตาก", "แพร่", "น่าน"})  # need จ./จังหวัด in front


class AmbiguousAddress(ValueError):
    """The address names more than one province."""


def province_in_address(text: str) -> tuple[str | None, str | None]:
    """(ISO code, district name as geothai writes it) named in an address, each ``None`` when
    it names none. Raises :class:`AmbiguousAddress` when two provinces are named."""
    lowered = text.lower()
    strong: set[str] = set()
    weak: set[str] = set()
    for p in provinces():
        th = re.escape(p.name_th)
        if re.search(rf"(?:จ\.|จังหวัด)\s*{th}", text):
            strong.add(p.iso)
        elif p.name_th not in _ORDINARY_WORDS and p.name_th in text:
            weak.add(p.iso)
        words = r"[\s-]*".join(re.escape(w) for w in p.name_en.lower().split())
        if re.search(rf"(?<![a-z]){words}(?![a-z])", lowered):
            weak.add(p.iso)
    for m in re.finditer(r"(?<![A-Za-z0-9])TH-?(\d\d)(?![0-9-])", text, re.IGNORECASE):
        strong.add(f"TH-{m.group(1)}")
    found = strong or weak
    if not found:
        return None, None
    if len(found) > 1:
        raise AmbiguousAddress("the address names more than one province")
    found_province = province(next(iter(found)))
    if found_province is None:
        return None, None
    district = None
    names = [(d.name_th, d.name_en) for d in geothai.districts(found_province.code)]
    for name, name_en in names:
        bare = name.removeprefix("เขต")
        marked = re.search(rf"(?:อ\.|อำเภอ|เขต)\s*{re.escape(bare)}", text)
        english = name_en and re.search(
            rf"(?<![a-z]){re.escape(name_en.lower())}\s+district", lowered
        )
        if (marked or english) and (district is None or len(name) > len(district)):
            district = name
    if district is None and re.search(r"(?:อ\.|อำเภอ)\s*เมือง(?!\S)", text):
        capital = f"เมือง{found_province.name_th}"
        if any(name == capital for name, _ in names):
            district = capital
    return found_province.iso, district
