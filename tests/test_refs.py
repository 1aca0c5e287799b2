"""Case references and Buddhist-era years."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from casestore import CaseRef, buddhist_year, format_ref, parse_ref


def test_format_ref() -> None:
    assert format_ref("TH-57", 2569, 42) == "TH57-2569-000042"
    assert format_ref("TH57", 2569, 1) == "TH57-2569-000001"
    assert format_ref(None, 2570, 999_999) == "TH00-2570-999999"
    assert format_ref("th-10", 2569, 7) == "TH10-2569-000007"


@pytest.mark.parametrize(
    ("province", "year", "seq"),
    [
        ("TH-5", 2569, 1),
        ("57", 2569, 1),
        ("US-CA", 2569, 1),
        ("TH-57", 2569, 0),
        ("TH-57", 2569, 1_000_000),
        ("TH-57", 25690, 1),
        ("TH-๕๗", 2569, 1),
    ],
)
def test_format_ref_rejects(province: str, year: int, seq: int) -> None:
    with pytest.raises(ValueError):
        format_ref(province, year, seq)


@pytest.mark.parametrize(
    "text",
    [
        "TH57-2569-000042",
        "th57-2569-000042",
        "Th57-2569-000042",
        " TH57-2569-000042\n",
        "TH57-๒๕๖๙-๐๐๐๐๔๒",
    ],
)
def test_parse_ref_accepts(text: str) -> None:
    ref = parse_ref(text)
    assert ref == CaseRef("TH57", 2569, 42)
    assert str(ref) == "TH57-2569-000042"
    assert ref.province == "TH-57"


def test_parse_ref_unknown_province_and_round_trip() -> None:
    ref = parse_ref("th00-2570-000001")
    assert ref == CaseRef("TH00", 2570, 1)
    assert ref.province is None
    assert parse_ref(str(ref)) == ref
    assert parse_ref(format_ref("TH-96", 2569, 123456)) == CaseRef("TH96", 2569, 123456)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "TH57",
        "TH57-2569",
        "TH57-2569-42",
        "TH57-2569-00042",
        "TH57-2569-0000420",
        "TH-57-2569-000042",
        "XX57-2569-000042",
        "TH5-2569-000042",
        "TH570-2569-000042",
        "TH57-569-000042",
        "TH57_2569_000042",
        "TH57 2569 000042",
        "TH57-2569-000000",
        "th57-2569-000042@bot.example",
        "TH57-2569-000042x",
        "xTH57-2569-000042",
        "TH57-2569-00004２",
        "TH57-2569-\u0660\u0660\u0660\u0660\u0664\u0662",
        "TH57-2569-000042\nTH57-2569-000043",
        "สถานะ TH57-2569-000042",
    ],
)
def test_parse_ref_rejects(text: str) -> None:
    assert parse_ref(text) is None


@pytest.mark.parametrize("value", [None, 42, b"TH57-2569-000042", ["TH57-2569-000042"]])
def test_parse_ref_rejects_non_strings(value: object) -> None:
    assert parse_ref(value) is None


@pytest.mark.parametrize(
    ("utc", "year"),
    [
        (datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC), 2569),
        (datetime(2026, 12, 31, 17, 0, 0, tzinfo=UTC), 2570),  # midnight in Bangkok
        (datetime(2026, 12, 31, 18, 0, 0, tzinfo=UTC), 2570),
        (datetime(2025, 12, 31, 17, 0, 0, tzinfo=UTC), 2569),
        (datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC), 2569),
    ],
)
def test_buddhist_year_uses_bangkok_time(utc: datetime, year: int) -> None:
    assert buddhist_year(utc) == year


def test_buddhist_year_other_offsets_and_naive() -> None:
    new_york = timezone(timedelta(hours=-5))
    assert buddhist_year(datetime(2026, 12, 31, 13, 0, tzinfo=new_york)) == 2570  # 18:00 UTC
    assert buddhist_year(datetime(2026, 12, 31, 18, 0)) == 2570  # naive = UTC
    assert buddhist_year(datetime(2026, 12, 31, 16, 0)) == 2569
    assert buddhist_year() >= 2569
