"""Find the province a message is about (ISO 3166-2 code)."""

from __future__ import annotations

import re
from functools import cache

from casestore.centres import load_centres

# Names people actually write, beyond the official ones.
ALIASES: dict[str, str] = {
    "โคราช": "TH-30",
    "อยุธยา": "TH-14",
    "กรุงเทพ": "TH-10",
    "กทม": "TH-10",
    "นครศรีฯ": "TH-80",
    "อุบลฯ": "TH-34",
    "อุบล": "TH-34",
    "สุราษฎร์": "TH-84",
    "แม่ฮ่องสอน": "TH-58",
}
# Province names that are also ordinary words: only trusted after จ./จังหวัด.
AMBIGUOUS = frozenset({"เลย", "ตาก", "แพร่", "น่าน", "ตรัง", "พัทลุง"})
_MARKER = r"(?:จังหวัด|จ\.)\s*"


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    names: dict[str, str] = dict(ALIASES)
    for centre in load_centres():
        names[centre.province_th] = centre.iso
        names[centre.province_en.lower()] = centre.iso
    out = []
    for name in sorted(names, key=len, reverse=True):  # longest first: นครพนม before นคร
        prefix = _MARKER if name in AMBIGUOUS else f"(?:{_MARKER})?"
        flags = re.IGNORECASE if name.isascii() else 0
        boundary = r"\b" if name.isascii() else ""
        out.append((re.compile(prefix + boundary + re.escape(name) + boundary, flags), names[name]))
    return out


def locate_province(text: str) -> str | None:
    """The ISO code of the first province named in `text`, or None."""
    best: tuple[int, str] | None = None
    for pattern, iso in _patterns():
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), iso)
    return best[1] if best else None
