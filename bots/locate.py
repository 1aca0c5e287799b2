"""Where a message is about: province (ISO 3166-2 code) and district, from place names.

Rules over a gazetteer, not learning. Every place fact (official names from ``geothai``,
the names people actually write such as โคราช, กทม., นครศรีฯ, Pattaya, the names that are
also ordinary words such as เลย, ตาก, แพร่ in เผยแพร่, สอง = two, the provincial halls'
coordinates) comes from :mod:`casestore.places`; this module only finds the mentions in a
message. A name that is an ordinary word counts only after a marker (จ./จังหวัด,
อ./อำเภอ/เขต, ต./ตำบล) or standing alone between spaces. "อ.เมือง" + a province gives that
province's capital district. A ``geo:lat,lon`` URI or a pair of coordinates gives the
province of the nearest provincial hall."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bots.trie import compile_words, cut_inside_word, trie_pattern
from casestore import places


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


@cache
def _index() -> dict:
    """The gazetteer of :mod:`casestore.places` with the patterns that find its names."""
    g = places.gazetteer()
    landmarks = {k.lower(): v for k, v in places.LANDMARKS.items()}
    return {
        "landmarks": landmarks,
        "landmark_re": re.compile(
            "|".join(re.escape(k) for k in sorted(landmarks, key=len, reverse=True))
        ),
        "name_parts": tuple(sorted(places.NAME_PARTS, key=len, reverse=True)),
        "institutions": tuple(sorted(places.INSTITUTIONS, key=len, reverse=True)),
        "th": g.th,
        "th_re": compile_words(g.th),
        "gated": g.needs_marker_th,
        "en": g.en,
        "en_re": re.compile(r"\b(?:" + trie_pattern(sorted(g.en)) + r")\b"),
        "gated_en": g.needs_marker_en,
        "names": g.province_names,
        "districts": g.districts,
        "district_by_name": g.district_by_name,
    }


def _bare_marker(raw: str, head: str, letter: str) -> bool:
    """ "จ เชียงราย", "อ แม่สาย": the marker letter alone, then a space."""
    return raw != head and head[-1:] == letter and (len(head) == 1 or not head[-2].isalpha())


def _standalone(text: str, start: int, end: int) -> bool:
    before_ok = start == 0 or text[start - 1] in _STANDALONE_BEFORE
    after_ok = end == len(text) or text[end] in _STANDALONE_BEFORE
    return before_ok and after_ok


def _boundaries(text: str) -> set[int]:
    """Where the tokenizer says words begin and end."""
    from bots.tokenise import segment

    out, pos = {0}, 0
    for tok in segment(text):
        pos += len(tok)
        out.add(pos)
    return out


def _part_of_a_name(text: str, start: int, ix: dict, bounds: set[int]) -> str | None:
    """"block" when the word before the place name at `start` makes it part of another
    name (ถนน…, ตลาด…, บริษัท…), "weak" after an institution (รพ.…), else None. The word
    must be a whole word: จังหวัด does not end with วัด (a temple)."""
    head = text[max(0, start - 14) : start].rstrip(" ")
    end = start - (len(text[max(0, start - 14) : start]) - len(head))
    for kind, words in (("weak", ix["institutions"]), ("block", ix["name_parts"])):
        for w in words:
            if head.endswith(w) and (end - len(w) in bounds or not head[: -len(w)][-1:].isalpha()):
                return kind
    return None


def _thai_hits(text: str, ix: dict) -> list[tuple[int, int, str, _Entry]]:
    """(position, strength, name, entry) for every Thai place name in `text`: strength 2
    after its own marker, 1 bare, 0 inside an institution's name (a weak hint)."""
    hits: list[tuple[int, int, str, _Entry]] = []
    th, gated = ix["th"], ix["gated"]
    bounds: set[int] | None = None
    blocked_from = -1  # ถนนเชียงใหม่-ลำปาง: the name after the hyphen is the road's too
    for m in ix["th_re"].finditer(text):
        name = m.group(0)
        start, end = m.span()
        if cut_inside_word(text, start, end):
            continue
        if bounds is None:
            bounds = _boundaries(text)
        if start not in bounds:
            continue  # หมู่บ้าน|โป่ง: บ้านโป่ง would start inside a word
        part = "block" if start == blocked_from else _part_of_a_name(text, start, ix, bounds)
        if part == "block":
            if text[end : end + 1] in ("-", "–"):
                blocked_from = end + 1
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
            hits.append((start, 0 if part == "weak" else 2 if marked else 1, name, entry))
    return hits


def _landmark_hits(text: str, ix: dict) -> list[tuple[int, int, str, _Entry]]:
    """Roads, areas and stations written without a province (ถนนสุโขทัย, BTS, สยาม)."""
    low = text.lower()
    hits = []
    for m in ix["landmark_re"].finditer(low):
        start, end = m.span()
        if end < len(low) and low[end].isascii() and low[end].isalpha():
            continue  # "bts" inside a longer English word
        hits.append((start, 1, text[start:end], ("l", ix["landmarks"][m.group(0)], None)))
    return hits


def _english_hits(text: str, ix: dict) -> list[tuple[int, int, str, _Entry]]:
    canon = places.canon_en(text)
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


def _geo(text: str) -> str | None:
    for m in _GEO.finditer(text):
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        try:
            iso = places.nearest_province(float(a), float(b))
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
    hits += _landmark_hits(text, ix)
    # subdistricts only after ต./ตำบล: their names repeat all over the country
    sub_codes: list[str] = []
    if "ต." in text or "ตำบล" in text:
        subs = places.subdistricts()
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
        if strength == 0:
            weight = 0.25  # an institution's name: only when nothing else says where
        else:
            weight = {"p": 2.0, "d": 1.5, "l": 1.5}[e[0]] + (1.0 if strength == 2 else 0.0)
        if e[0] == "p" and strength == 1 and _origin(text, pos):
            weight = 0.5  # "ย้ายมาจากขอนแก่น": where the citizen came from
        score[e[1]] = score.get(e[1], 0.0) + weight
        first.setdefault(e[1], pos)
    if not score:
        return NOWHERE
    ranked = sorted(score, key=lambda k: (score[k], -first[k]), reverse=True)
    iso = ranked[0]
    if len(ranked) > 1 and score[ranked[0]] - score[ranked[1]] < AMBIGUOUS_MARGIN:
        return NOWHERE  # two provinces compete: ask rather than guess
    district_code = None
    evidence: list[str] = []
    for _, _, name, e in sorted(hits, key=lambda h: (-h[1], h[0])):
        if e[1] != iso:
            continue
        if name not in evidence:
            evidence.append(name)
        if e[0] == "d" and district_code is None and strength:
            district_code = e[2]
    if district_code is None:
        same = [c for c in sub_codes if ix["districts"][c][1] == iso]
        if len(same) == 1:
            district_code = same[0]
        elif _MUEANG.search(text):
            district_code = ix["district_by_name"].get("เมือง" + ix["names"][iso])
    district = ix["districts"][district_code][0] if district_code else None
    return Place(iso, district, district_code, tuple(evidence))


AMBIGUOUS_MARGIN = 0.75
"""Two provinces within this much of each other (e.g. both named once, bare): unknown."""
_ORIGIN = ("มาจาก", "จาก", "บ้านเกิด", "บ้านเดิม", "ย้ายจาก")


def _origin(text: str, pos: int) -> bool:
    """A bare province named as where someone came from: "มาจากขอนแก่น", "บ้านเกิดอยู่…"."""
    head = text[max(0, pos - 14) : pos].rstrip()
    return head.endswith(_ORIGIN) or head.endswith(tuple(f"{o}อยู่" for o in _ORIGIN))


def place_words(english: bool = True) -> list[str]:
    """Every place name the locator knows (Thai, and English in lower case)."""
    ix = _index()
    if not english:
        return list(ix["th"])
    return [*ix["th"], *ix["en"], *(w for name in ix["en"] for w in name.split())]


def locate_province(text: str) -> str | None:
    """The ISO code of the province `text` is about, or None."""
    return locate(text).province
