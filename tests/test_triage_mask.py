"""Masking: every way people write an ID, a phone or an account number is masked; hotlines,
case references, amounts, years and coordinates are not."""

from __future__ import annotations

import random
import re

import pytest

from bots.normalise import normalise
from kernel.mask import ACCOUNT, ID, NUMBER, PHONE, mask

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _masked(text: str) -> str:
    return mask(normalise(text))


@pytest.mark.parametrize(
    "phone",
    [
        "081.234.5678",
        "081 234 5678",
        "(081) 234-5678",
        "(02) 123 4567",
        "(02)123-4567",
        "02.123.4567",
        "053-123456",
        "053 123 456",
        "+66 (0) 81 234 5678",
        "+66-2-123-4567",
        "+66 2 123 4567",
        "๐๘๑.๒๓๔.๕๖๗๘",
        "0 8 1 2 3 4 5 6 7 8",
    ],
)
def test_phone_formats(phone: str) -> None:
    assert _masked(f"โทรมาที่ {phone} นะคะ") == f"โทรมาที่ {PHONE} นะคะ"


@pytest.mark.parametrize(
    "account",
    ["บัญชี 123-4-56789-0", "เลขที่บัญชี 1234567890", "โอนเข้า บช. 020-1-23456-7", "a/c 0201234567890"],
)
def test_bank_accounts(account: str) -> None:
    out = _masked(f"{account} ครับ")
    assert ACCOUNT in out or PHONE in out or NUMBER in out
    assert not re.search(r"\d{4}", out)


def test_usual_account_layout_without_a_keyword() -> None:
    assert _masked("โอน 123-4-56789-0 แล้ว") == f"โอน {ACCOUNT} แล้ว"


@pytest.mark.parametrize("sep", ["", " ", "-", "."])
def test_id_numbers_any_separator_and_digits(sep: str) -> None:
    groups = ["3", "4101", "00234", "56", "1"]
    arabic = sep.join(groups)
    assert _masked(f"บัตร {arabic} ค่ะ") == f"บัตร {ID} ค่ะ"
    assert _masked(f"บัตร {arabic.translate(THAI_DIGITS)} ค่ะ") == f"บัตร {ID} ค่ะ"


@pytest.mark.parametrize(
    "kept",
    [
        "โทร 1567 หรือ 191 หรือ 1669 หรือ 199 หรือ 1300 หรือ 1111",
        "เรื่องเดิม TH57-2569-000123 ยังไม่คืบหน้า",
        "จ่ายไป 1,500,000 บาท เมื่อปี 2567",
        "บ้านเลขที่ 99/123 หมู่ 4",
        "geo:13.7563,100.5018",
        "พิกัด 18.7883, 98.9853",
        "พัสดุเลข TH0123456789 ยังไม่มา",
        "วันที่ 12/05/2567 เวลา 14.30 น.",
    ],
)
def test_what_is_not_personal_data_is_kept(kept: str) -> None:
    assert _masked(kept) == normalise(kept)


def _random_phone(rng: random.Random) -> str:
    digits = "0" + rng.choice("689") + "".join(rng.choice("0123456789") for _ in range(8))
    layout = rng.choice(["{}", "{}-{}-{}", "{}.{}.{}", "{} {} {}", "({}) {}-{}"])
    parts = (digits[:3], digits[3:6], digits[6:])
    text = layout.format(*parts) if layout.count("{}") == 3 else digits
    if rng.random() < 0.2:
        text = "+66 " + digits[1:3] + " " + digits[3:6] + " " + digits[6:]
    return text.translate(THAI_DIGITS) if rng.random() < 0.2 else text


def _random_id(rng: random.Random) -> str:
    d = str(rng.randint(1, 8)) + "".join(rng.choice("0123456789") for _ in range(12))
    sep = rng.choice(["", " ", "-"])
    text = sep.join([d[0], d[1:5], d[5:10], d[10:12], d[12]])
    return text.translate(THAI_DIGITS) if rng.random() < 0.2 else text


def test_property_no_generated_number_survives() -> None:
    rng = random.Random(1567)
    fillers = ["ช่วยด้วยค่ะ", "ติดต่อ", "เบอร์", "โทร.", "ผม", "บัตรประชาชน", "ครับ", "call me", ""]
    for _ in range(500):
        pieces = []
        for _ in range(rng.randint(1, 3)):
            pieces += [rng.choice(fillers), rng.choice([_random_phone, _random_id])(rng)]
        text = rng.choice([" ", ""]).join(pieces)
        out = _masked(text)
        assert not re.search(r"\d(?:[ .\-()]{0,2}\d){8,}", out), (text, out)


def test_masking_is_idempotent() -> None:
    once = _masked("โทร 081-234-5678 บัตร 1-2345-67890-12-3 อีเมล a@b.co")
    assert mask(once) == once


def test_two_numbers_side_by_side_are_both_masked() -> None:
    """Found by the fuzz: the second number's leading 0 was read as the first one's
    extension digit ("0-20000000 0" is ten digits), leaving "-20000000" in clear."""
    for text in ("โทร 0-20000000  0-20000000", "0-20000000 0-20000000"):
        masked = mask(text)
        assert "20000000" not in masked and masked.count("[เบอร์โทร]") == 2, masked
    assert mask("โทร 02 123 45678") == "โทร [เบอร์โทร]"  # a real extension digit still joins
