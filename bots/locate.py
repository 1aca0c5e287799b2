"""Where a message is about: province (ISO 3166-2 code) and district, from place names.

Rules and a gazetteer, not learning: the official names come from ``geothai`` (77
provinces, 928 districts, 7,400 subdistricts), the names people actually write
(โคราช, กทม., นครศรีฯ, Pattaya…) and the names that are also ordinary words (เลย, ตาก,
แพร่ in เผยแพร่, สอง = two…) from ``bots/data/places.json``. A name that is an ordinary word
counts only after a marker (จ./จังหวัด, อ./อำเภอ/เขต, ต./ตำบล) or standing alone between
spaces. "อ.เมือง" + a province gives that province's capital district. A ``geo:lat,lon``
URI or a pair of coordinates gives the province of the nearest provincial hall."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import geothai

from bots.trie import compile_words, cut_inside_word, trie_pattern


@dataclass(frozen=True, slots=True)
class Place:
    province: str | None = None
    district: str | None = None
    """The district's name as ``geothai`` writes it (``แม่สาย``, ``เมืองเชียงราย``, ``เขตบางรัก``)."""
    district_code: str | None = None
    """The four-digit DOPA code of the district (``5705``)."""
    evidence: tuple[str, ...] = ()


NOWHERE = Place()

# kind: "p" province, "d" district; strength 2 = after its own marker, 1 = bare
_Entry = tuple[str, str, str | None]  # (kind, iso, district code)

_PROVINCE_MARKERS = ("จังหวัด", "จ.", "เมือง")
_DISTRICT_MARKERS = ("อำเภอ", "อ.", "เขต")
_SUBDISTRICT = re.compile(r"(?:ตำบล|ต\.)\s*([\u0e00-\u0e7f]{2,30})")
_MUEANG = re.compile(r"(?:อำเภอ|อ\.)\s*เมือง")
_GEO = re.compile(
    r"geo:\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)"
    r"|(?<![\d.])(\d{1,2}\.\d{3,})\s*[,/ ]\s*(\d{2,3}\.\d{3,})(?![\d.])"
)
_RIVER = ("แม่น้ำ", "ลำน้ำ", "แม่น้ำ ", "river ")
_STANDALONE_BEFORE = " \n\t,.:;!?()\"'/-"


def _data() -> dict:
    text = files("bots").joinpath("data/places.json").read_text(encoding="utf-8")
    return json.loads(text)


def _canon_en(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text.lower())


@cache
def _index() -> dict:
    data = _data()
    gated = set(data["needs_marker_th"])
    th: dict[str, list[_Entry]] = {}

    def add(name: str, entry: _Entry) -> None:
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
    districts: dict[str, tuple[str, str]] = {}  # code -> (name_th, iso)
    en: dict[str, list[_Entry]] = {}
    for p in geothai.provinces():
        iso = f"TH-{p.code}"
        en.setdefault(_canon_en(p.name_en), []).append(("p", iso, None))
        en.setdefault(_canon_en(p.name_en).replace(" ", ""), []).append(("p", iso, None))
        for d in geothai.districts(p.code):
            districts[d.code] = (d.name_th, iso)
            add(d.name_th, ("d", iso, d.code))
            if d.name_th.startswith("เขต") and len(d.name_th) > 5:
                add(d.name_th[3:], ("d", iso, d.code))
            key = _canon_en(d.name_en)
            if len(key) >= 5 and not key.startswith("mueang"):
                en.setdefault(key, []).append(("d", iso, d.code))
    for name, iso in data["aliases_en"].items():
        en.setdefault(_canon_en(name), []).append(("p", iso, None))
    gated_en = set(data["needs_marker_en"])
    return {
        "th": th,
        "th_re": compile_words(th),
        "gated": gated,
        "en": en,
        "en_re": re.compile(r"\b(?:" + trie_pattern(sorted(en)) + r")\b"),
        "gated_en": gated_en,
        "names": names,
        "districts": districts,
        "district_by_name": {v[0]: k for k, v in districts.items()},
        "halls": {iso: tuple(ll) for iso, ll in data["halls"].items()},
    }


@cache
def _subdistricts() -> dict[str, list[str]]:
    """Subdistrict (ตำบล) name -> codes of the districts that have one of that name."""
    out: dict[str, list[str]] = {}
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            for s in geothai.subdistricts(d.code):
                out.setdefault(s.name_th, []).append(d.code)
    return out


def _bare_marker(raw: str, head: str, letter: str) -> bool:
    """ "จ เชียงราย", "อ แม่สาย": the marker letter alone, then a space."""
    return raw != head and head[-1:] == letter and (len(head) == 1 or not head[-2].isalpha())


def _standalone(text: str, start: int, end: int) -> bool:
    before_ok = start == 0 or text[start - 1] in _STANDALONE_BEFORE
    after_ok = end == len(text) or text[end] in _STANDALONE_BEFORE
    return before_ok and after_ok


def _thai_hits(text: str, ix: dict) -> list[tuple[int, int, str, _Entry]]:
    """(position, strength, name, entry) for every Thai place name in `text`."""
    hits: list[tuple[int, int, str, _Entry]] = []
    th, gated = ix["th"], ix["gated"]
    for m in ix["th_re"].finditer(text):
        name = m.group(0)
        start, end = m.span()
        if cut_inside_word(text, start, end):
            continue
        raw = text[max(0, start - 10) : start]
        head = raw.rstrip()
        p_marker = head.endswith(_PROVINCE_MARKERS) or _bare_marker(raw, head, "จ")
        d_marker = head.endswith(_DISTRICT_MARKERS) or _bare_marker(raw, head, "อ")
        if name == "น่าน" and text.startswith(("น้ำ", "ฟ้า"), end):
            continue  # น่านน้ำ, น่านฟ้า: waters, airspace
        if text.endswith(_RIVER, max(0, start - 8), start):
            continue  # แม่น้ำน่าน flows through other provinces too
        for entry in th[name]:
            marked = p_marker if entry[0] == "p" else d_marker
            if name in gated and not marked:
                # an ordinary word: only standing alone (เลย only at the very start)
                if not _standalone(text, start, end) or (name == "เลย" and start > 0):
                    continue
                if name not in ("ตาก", "แพร่", "เลย"):
                    continue
            hits.append((start, 2 if marked else 1, name, entry))
    return hits


def _english_hits(text: str, ix: dict) -> list[tuple[int, int, str, _Entry]]:
    canon = _canon_en(text)
    hits = []
    for m in ix["en_re"].finditer(canon):
        name = m.group(0)
        if name in ix["gated_en"]:
            # "Nan", "Tak", "Loei": only with a capital letter or "province" next to it
            raw = re.search(r"\b" + re.escape(name) + r"\b", text, re.IGNORECASE)
            tail = canon[m.end() : m.end() + 10]
            head = canon[max(0, m.start() - 10) : m.start()]
            if not (
                (raw and raw.group(0)[0].isupper() and raw.start() > 0)
                or tail.startswith((" province", " city"))
                or head.endswith(("in ", "at ", "from ", "near "))
            ):
                continue
        for entry in ix["en"][name]:
            hits.append((m.start(), 1, name, entry))
    return hits


def nearest_province(lat: float, lon: float) -> str | None:
    """The province whose provincial hall is nearest, for a point in or near Thailand."""
    if not (5.0 <= lat <= 21.0 and 97.0 <= lon <= 106.0):
        return None
    halls = _index()["halls"]
    coslat = math.cos(math.radians(lat))
    return min(
        halls, key=lambda iso: (halls[iso][0] - lat) ** 2 + ((halls[iso][1] - lon) * coslat) ** 2
    )


def _geo(text: str) -> str | None:
    for m in _GEO.finditer(text):
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        try:
            iso = nearest_province(float(a), float(b))
        except ValueError:
            continue
        if iso:
            return iso
    return None


def locate(text: str) -> Place:
    """Province and district named in `text` (normalised), with the names that decided."""
    if not text:
        return NOWHERE
    ix = _index()
    hits: list[tuple[int, int, str, _Entry]] = []
    if not text.isascii():
        hits += _thai_hits(text, ix)
    if re.search(r"[A-Za-z]{3}", text):
        hits += _english_hits(text, ix)
    # subdistricts only after ต./ตำบล: their names repeat all over the country
    sub_codes: list[str] = []
    if "ต." in text or "ตำบล" in text:
        subs = _subdistricts()
        for m in _SUBDISTRICT.finditer(text):
            word = m.group(1)
            for n in range(len(word), 1, -1):
                if word[:n] in subs:
                    sub_codes = subs[word[:n]]
                    break
    if not hits:
        if len(sub_codes) == 1:
            code = sub_codes[0]
            name, iso = ix["districts"][code]
            return Place(iso, name, code, ())
        iso = _geo(text) if ("geo" in text or "." in text) else None
        return Place(iso, None, None, ("geo",) if iso else ())

    # Score provinces: named provinces count more than districts, markers more than bare
    # names; districts whose name exists in several provinces count only if one of those
    # provinces is named.
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    named = {e[1] for _, _, _, e in hits if e[0] == "p"}
    by_name: dict[str, set[_Entry]] = {}  # the distinct places a name can be
    for _, _, name, e in hits:
        by_name.setdefault(name, set()).add(e)
    for pos, strength, name, e in hits:
        if e[0] == "d" and len(by_name[name]) > 1 and e[1] not in named:
            continue
        weight = (2.0 if e[0] == "p" else 1.5) + (1.0 if strength == 2 else 0.0)
        score[e[1]] = score.get(e[1], 0.0) + weight
        first.setdefault(e[1], pos)
    if not score:
        return NOWHERE
    iso = max(score, key=lambda k: (score[k], -first[k]))
    district_code = None
    evidence: list[str] = []
    for _, _, name, e in sorted(hits, key=lambda h: (-h[1], h[0])):
        if e[1] != iso:
            continue
        if name not in evidence:
            evidence.append(name)
        if e[0] == "d" and district_code is None:
            district_code = e[2]
    if district_code is None:
        same = [c for c in sub_codes if ix["districts"][c][1] == iso]
        if len(same) == 1:
            district_code = same[0]
        elif _MUEANG.search(text):
            district_code = ix["district_by_name"].get("เมือง" + ix["names"][iso])
    district = ix["districts"][district_code][0] if district_code else None
    return Place(iso, district, district_code, tuple(evidence))


def place_words(english: bool = True) -> list[str]:
    """Every place name the locator knows (Thai, and English in lower case)."""
    ix = _index()
    if not english:
        return list(ix["th"])
    return [*ix["th"], *ix["en"], *(w for name in ix["en"] for w in name.split())]


def locate_province(text: str) -> str | None:
    """The ISO code of the province `text` is about, or None."""
    return locate(text).province


def district_code(name: str, province: str | None = None) -> str | None:
    """The DOPA code of a district written as geothai does (or without เขต/อ.), if known."""
    ix = _index()
    name = re.sub(r"^(?:อำเภอ|อ\.)\s*", "", name.strip())
    if re.fullmatch(r"\d{4}", name):
        return name
    for candidate in (name, "เขต" + name):
        for kind, iso, code in ix["th"].get(candidate, []):
            if kind == "d" and (province is None or iso == province):
                return code
    return None
