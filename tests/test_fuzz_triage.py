"""Fuzzing the triage pipeline (issue 7, hostile input): `normalise`, `mask`, `locate`,
`classify` and `triage` on ``DAMRONGDHAM_FUZZ_EXAMPLES`` inputs (default 10,000).

Inputs mix arbitrary Unicode (lone surrogates, controls, combining marks, every script),
Thai-looking text built from the locator's place names and the classifier's cue words,
digits in both scripts with separators, links, `geo:` URIs, and personal numbers (Thai ID
numbers and phone numbers in the ways people write them) embedded in that text.

Properties: nothing raises (`locate` and `classify` are called directly as well, because
`triage` would hide their exceptions behind its fallback); `normalise` is idempotent; the
masked text contains none of the embedded ID or phone numbers; the results are in the pinned
vocabularies (`casestore/vocab.py`) and the gazetteer.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import geothai
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bots import lexicon
from bots.classify import classify, cue_owners
from bots.locate import locate, place_words
from bots.normalise import normalise
from bots.triage import PINNED_KEYS, triage
from casestore.vocab import TOPICS, TYPES
from kernel.mask import PLACEHOLDERS, mask

EXAMPLES = int(os.environ.get("DAMRONGDHAM_FUZZ_EXAMPLES", "10000"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)

PROVINCES = {f"TH-{p.code}": p.code for p in geothai.provinces()}
DISTRICTS = {d.code: (d.name_th, f"TH-{p.code}")
             for p in geothai.provinces() for d in geothai.districts(p.code)}
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
SEPARATORS = " .-()+/\u00a0"  # what people put between the digit groups of a number

# -- strategies -------------------------------------------------------------------------------

# Every code point, lone surrogates included (broken clients send them); fragments add
# surrogates often, since they are only 0.2 % of the code points.
any_char = st.characters(exclude_categories=())
thai_char = st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F)
words = st.sampled_from(
    sorted({*place_words(), *cue_owners(), *lexicon.NOW_CUES, *lexicon.PAST_CUES,
            *lexicon.NEGATIONS, *lexicon.HYPOTHETICAL_CUES, *lexicon.BLOCKERS})
)
fragment = st.one_of(
    words,
    words,
    st.sampled_from([" ", "\n", "\r\n", "\t", "\u200b", "\ufeff", "\u00a0", "\ufffc", "เเ",
                     "ํา", "ํ่า", "จ.", "อ.", "ต.", "อ.เมือง", "เขต", "TH57-2569-000001",
                     "geo:", "http://x.example/", "a@b.co", "บัญชี", "+66", "(0)", "1567",
                     "ช่วยด้วย", "😭", "👍🏽", "🇹🇭", "ค่ะ", "นะคะ", "!!!", "???", "\ud800",
                     "\udfff", "\udbff\udc00", "\x00", "\x1b[31m", "\u202e"]),
    st.builds("{}.{},{}{}.{}".format, st.integers(-99, 99), st.integers(0, 10**8),
              st.sampled_from(["", " ", "/"]), st.integers(-180, 180), st.integers(0, 10**8)),
    st.text(SEPARATORS + "0123456789๐๑๒๓๔๕๖๗๘๙", max_size=20),
    st.text(thai_char, max_size=12),
    st.text(any_char, max_size=12),
)
hostile_text = st.one_of(
    st.text(any_char, max_size=200),
    st.lists(fragment, max_size=20).map("".join),
)
context = st.lists(fragment, max_size=6).map("".join)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.integers(0, 10**n - 1).map(lambda i: str(i).zfill(n))


def _spread(digits: str, cuts: list[int], sep: str) -> str:
    """`digits` with `sep` at the given cut points (a written form of the number)."""
    points = sorted({c % len(digits) for c in cuts} - {0})
    parts = [digits[i:j] for i, j in zip([0, *points], [*points, len(digits)], strict=True)]
    return sep.join(parts)


@dataclass(frozen=True)
class Secret:
    written: str  # as the citizen typed it
    digits: str  # what must not survive masking


@st.composite
def thai_id(draw: st.DrawFn) -> Secret:
    digits = draw(st.sampled_from("12345678")) + draw(_digits(12))
    style = draw(st.sampled_from(["plain", "official", "cuts"]))
    if style == "official":  # 1-2345-67890-12-3
        written = "-".join((digits[0], digits[1:5], digits[5:10], digits[10:12], digits[12]))
        written = written.replace("-", draw(st.sampled_from(["-", " ", ".", "-"])))
    elif style == "cuts":
        written = _spread(digits, draw(st.lists(st.integers(1, 12), max_size=4)),
                          draw(st.sampled_from(["-", " ", "  "])))  # "1.234…": a decimal
    else:
        written = digits
    return Secret(written, digits)


@st.composite
def phone(draw: st.DrawFn) -> Secret:
    if draw(st.booleans()):  # mobile: 06/08/09 + 8 digits
        national = draw(st.sampled_from("689")) + draw(_digits(8))
        groups = (national[:2], national[2:5], national[5:])
    else:  # landline: 02-07 + 7 digits
        national = draw(st.sampled_from("234567")) + draw(_digits(7))
        groups = (national[:1], national[1:4], national[4:])
    sep = draw(st.sampled_from(["", "-", " ", ".", "  ", " - "]))
    style = draw(st.sampled_from(["0", "(0)", "+66", "+66 (0)", "+66-", "0-cuts"]))
    rest = sep.join(groups[1:])
    if style == "0":
        written = f"0{groups[0]}{sep}{rest}"
    elif style == "(0)":
        written = f"(0{groups[0]}) {rest}"
    elif style == "0-cuts":
        written = _spread("0" + national, draw(st.lists(st.integers(1, 10), max_size=3)),
                          draw(st.sampled_from(["-", " "])))  # "0.2…" reads as a decimal
    else:
        written = f"{style}{' ' if style.endswith(')') else ''}{groups[0]}{sep}{rest}"
    return Secret(written, national)


@st.composite
def text_with_secrets(draw: st.DrawFn) -> tuple[str, tuple[Secret, ...]]:
    """Hostile context around personal numbers, each set off by whitespace (a number glued
    to letters, "TH0812345678", is a parcel code; glued to "1.", a decimal)."""
    secrets = draw(st.lists(st.one_of(thai_id(), phone()), min_size=1, max_size=3))
    pieces = [draw(context)]
    for secret in secrets:
        written = secret.written
        if draw(st.booleans()):
            written = written.translate(THAI_DIGITS)
        before = [" โทร ", " เลขบัตร ", "\n", " call ", " "]
        pieces += [draw(st.sampled_from(before)), written,
                   draw(st.sampled_from([" ", "\n", " ค่ะ", " ครับ "])), draw(context)]
    return "".join(pieces).replace("://", ":/"), tuple(secrets)  # links are kept whole


def _leaks(masked: str, secret: Secret) -> bool:
    """Whether `secret` is in `masked`, as written (normalised) or as bare digits: a number
    of its own, not digits that happen to occur inside another one ("155.1000100")."""
    forms = {normalise(secret.written), secret.digits}
    return any(re.search(rf"(?<!\d){re.escape(f)}(?!\d)", masked) for f in forms)


def _check_pipeline(text: str) -> str:
    """Every stage on `text`; returns the masked text."""
    norm = normalise(text)
    assert normalise(norm) == norm, "normalise is not idempotent"
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\u200b]", norm)
    masked = mask(norm)
    assert isinstance(masked, str)
    place = locate(masked)
    if place.province is not None:
        assert place.province in PROVINCES, place
    if place.district_code is not None:
        name, iso = DISTRICTS[place.district_code]
        assert (place.district, place.province) == (name, iso), place
    else:
        assert place.district is None
    found = classify(masked)
    assert found.type in TYPES and found.topic in TOPICS
    assert isinstance(found.urgent, bool)
    assert (found.urgent_reason is not None) == found.urgent
    result = triage(text)
    assert result.masked == masked
    assert (result.type, result.topic) == (found.type, found.topic)
    assert (result.province, result.district) == (place.province, place.district)
    out = result.as_json()
    assert tuple(out) == PINNED_KEYS
    json.dumps(out, ensure_ascii=False)
    return masked


@pytest.mark.timeout(600)  # ≈ 30 s alone; several times that on a busy machine
@FUZZ
@given(st.one_of(hostile_text, text_with_secrets()))
@example("")
@example("\ud800\udfff\x00" * 100)
@example("ก" * 65536)
@example("๐๘๑-๒๓๔-๕๖๗๘ " * 2000)
@example("geo:99999999999999999999,1e400 13.7563,100.5018 จ.")
@example("ต." * 5000)
@example(b"\xff\xfe\x00bytes, not text")
@example(("ถนนพัง โทร 081-234-5678 เลขบัตร 1-2345-67890-12-3", (
    Secret("081-234-5678", "812345678"), Secret("1-2345-67890-12-3", "1234567890123"))))
def test_pipeline(case: str | bytes | tuple[str, tuple[Secret, ...]]) -> None:
    """One hostile input through every stage; embedded personal numbers never survive."""
    if isinstance(case, bytes):
        assert triage(case).type in TYPES  # triage() also takes bytes from a broken client
        return
    text, secrets = case if isinstance(case, tuple) else (case, ())
    masked = _check_pipeline(text)
    for secret in secrets:
        assert not _leaks(masked, secret), f"{secret.written!r} survives in {masked!r}"
    if secrets:
        assert any(p in masked for p in PLACEHOLDERS)


# -- bugs found by fuzzing, fixed: kept as regression tests ------------------------------------


def test_amount_survives_normalise() -> None:
    """'ยืมเงิน 10000 บาท' is stored as 'ยืมเงิน 1000 บาท': the complaint's amount changes."""
    assert "10000" in triage("ยืมเงิน 10000 บาท ดอกเบี้ยร้อยละ 20 ต่อเดือน").masked


def test_case_reference_with_zeros_is_kept() -> None:
    """A citizen quoting their reference: 'TH57-2569-000001' becomes 'TH[หมายเลข]'."""
    assert "TH57-2569-000001" in triage("ติดตามเรื่อง TH57-2569-000001 ค่ะ").masked


def test_landline_with_four_same_digits_is_masked() -> None:
    """'021111234' (02-111-1234 typed without separators) becomes '02111234', too short to
    be read as a phone: seven of its digits are stored unmasked."""
    masked = triage("โทรกลับที่ 021111234 ได้ค่ะ").masked
    assert "[เบอร์โทร]" in masked and "111" not in masked


def test_phone_with_spaced_dashes_is_masked() -> None:
    for written in ("081 - 234 - 5678", "02 - 123 - 4567", "1 - 2345 - 67890 - 12 - 3"):
        masked = triage(f"ติดต่อกลับ {written} ค่ะ").masked
        assert not re.search(r"\d{3}", masked), masked


def test_plus_phone_after_a_number_is_masked() -> None:
    masked = triage("ยอด 100.00011000 +66-20001000").masked
    assert "20001000" not in masked, masked
