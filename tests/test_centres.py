"""The centre list: casestore/data/centres.csv and casestore.centres."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import geothai
import pytest

from casestore.centres import (
    Centre,
    CentreDataError,
    centre_by_iso,
    centre_by_slug,
    centre_slugs,
    load_centres,
    parse_centres,
)

REPO = Path(__file__).resolve().parents[1]
CSV_PATH = REPO / "casestore" / "data" / "centres.csv"
SEED = REPO.parent / "shared" / "seeds" / "000_de99c37c951c777e.txt"
HEADER = "slug,iso,name_th,name_en,province_th,province_en,phone,lat,lon,kind,parent"
GOOD_ROW = (
    "chiangrai,TH-57,ศูนย์ดำรงธรรมจังหวัดเชียงราย,Chiang Rai Provincial Damrongdham Centre,"
    "เชียงราย,Chiang Rai,1567,,,province,"
)


def test_exactly_76_provincial_centres() -> None:
    centres = load_centres()
    assert len(centres) == 76
    assert all(isinstance(c, Centre) for c in centres)
    assert {c.kind for c in centres} == {"province"}
    assert all(c.parent is None for c in centres)


def test_load_is_cached() -> None:
    assert load_centres() is load_centres()


def test_file_is_utf8_with_header_and_no_bom() -> None:
    raw = CSV_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == HEADER
    assert text.endswith("\n")
    assert len(text.splitlines()) == 77


def test_corrected_slugs_present_and_misspellings_absent() -> None:
    slugs = centre_slugs()
    assert {"mahasarakham", "sakonnakhon"} <= slugs
    assert not {"maharakham", "sakonkakhon"} & slugs
    # kept as the seed spells them
    assert {"phranakhonsiyutthaya", "roiet", "buengkan", "uttaradit"} <= slugs


def test_no_duplicates() -> None:
    centres = load_centres()
    assert len({c.slug for c in centres}) == 76
    assert len({c.iso for c in centres}) == 76
    assert len({c.name_th for c in centres}) == 76
    assert len(centre_slugs()) == 76


def test_every_centre_agrees_with_geothai() -> None:
    for c in load_centres():
        assert re.fullmatch(r"[a-z]+", c.slug), c
        assert re.fullmatch(r"TH-\d\d", c.iso), c
        province = geothai.province(c.iso.removeprefix("TH-"))
        assert province is not None, c
        assert c.province_th == province.name_th, c
        assert c.province_en == province.name_en, c
        assert c.name_th == f"ศูนย์ดำรงธรรมจังหวัด{province.name_th}", c
        assert c.name_en == f"{province.name_en} Provincial Damrongdham Centre", c


def test_covers_every_province_except_bangkok() -> None:
    all_codes = {f"TH-{p.code}" for p in geothai.provinces()}
    assert {c.iso for c in load_centres()} == all_codes - {"TH-10"}


def test_no_bangkok() -> None:
    assert centre_by_iso("TH-10") is None
    assert "bangkok" not in centre_slugs()
    assert all("กรุงเทพ" not in c.province_th for c in load_centres())


def test_uttaradit_thai_spelling_corrected() -> None:
    c = centre_by_slug("uttaradit")
    assert c is not None
    assert c.province_th == "อุตรดิตถ์"
    assert all("อุดรดิตถ์" not in c.name_th for c in load_centres())


def test_chiangrai() -> None:
    c = centre_by_slug("chiangrai")
    assert c is not None
    assert c.iso == "TH-57"
    assert c.ref_prefix == "TH57"
    assert c.name_th == "ศูนย์ดำรงธรรมจังหวัดเชียงราย"
    assert c.name_en == "Chiang Rai Provincial Damrongdham Centre"
    assert c.phone == "1567"
    assert c.lat is None and c.lon is None
    assert centre_by_iso("TH-57") is c
    assert centre_by_iso("th57") is c
    assert centre_by_slug("ChiangRai") is c
    assert load_centres()[0] is c
    assert load_centres()[-1].slug == "suratthani"


def test_unknown_lookups_return_none() -> None:
    assert centre_by_slug("atlantis") is None
    assert centre_by_slug("") is None
    assert centre_by_iso("TH-99") is None
    assert centre_by_iso("nonsense") is None


def test_centre_is_frozen() -> None:
    c = load_centres()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.slug = "x"  # type: ignore[misc]


def test_phone_is_national_hotline_only() -> None:
    assert {c.phone for c in load_centres()} == {"1567"}


@pytest.mark.skipif(not SEED.exists(), reason="shared/seeds not beside the repo")
def test_order_and_slugs_follow_the_seed() -> None:
    text = SEED.read_text(encoding="utf-8")
    table = text[text.index("รหัส Spond ศูนย์ดำรงธรรม 76 จังหวัด") :]
    users = re.findall(r"^\d+\t[^\t]+\t([a-z]+)@moi\.go\.th\t", table, flags=re.M)
    assert len(users) == 76
    fixes = {"maharakham": "mahasarakham", "sakonkakhon": "sakonnakhon"}
    assert [c.slug for c in load_centres()] == [fixes.get(u, u) for u in users]


def test_parse_accepts_a_good_file() -> None:
    (c,) = parse_centres(f"{HEADER}\n{GOOD_ROW}\n")
    assert c.slug == "chiangrai"
    assert c.parent is None


def test_parse_reads_coordinates() -> None:
    row = GOOD_ROW.replace("1567,,,", "1567,19.91,99.84,")
    (c,) = parse_centres(f"{HEADER}\n{row}\n")
    assert (c.lat, c.lon) == (19.91, 99.84)


def _second(row: str) -> str:
    return f"{HEADER}\n{GOOD_ROW}\n{row}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_second(GOOD_ROW), r"line 3: duplicate slug 'chiangrai' \(first on line 2\)"),
        (_second(GOOD_ROW.replace("chiangrai,", "other,", 1)), r"line 3: duplicate iso 'TH-57'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'Chiangrai,', 1)}\n", r"slug 'Chiangrai'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'chiang-rai,', 1)}\n", r"\^\[a-z\]\+\$"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', ',', 1)}\n", r"slug ''"),
        (f"{HEADER}\n{GOOD_ROW.replace('TH-57', 'TH57')}\n", r"line 2: iso 'TH57'"),
        (f"{HEADER}\n{GOOD_ROW.replace('TH-57', 'TH-5')}\n", r"iso 'TH-5'"),
        (f"{HEADER}\n{GOOD_ROW.replace('TH-57', 'TH-S')}\n", r"iso 'TH-S'"),
        (f"{HEADER.replace('slug', 'id')}\n{GOOD_ROW}\n", r"header must be"),
        (f"{HEADER}\n{GOOD_ROW.rsplit(',', 2)[0]}\n", r"line 2: expected 11 columns"),
        (f"{HEADER}\n{GOOD_ROW},extra\n", r"line 2: expected 11 columns"),
        (f"{HEADER}\n{GOOD_ROW.replace('1567,,,', '1567,north,99.8,')}\n", r"lat 'north'"),
        (f"{HEADER}\n{GOOD_ROW.replace('1567,,,', '1567,19.9,,')}\n", r"both lat and lon"),
        (f"{HEADER}\n{GOOD_ROW.replace('1567,,,', '1567,199.9,99.8,')}\n", r"lat 199.9"),
        (f"{HEADER}\n{GOOD_ROW.replace(',1567,', ',,')}\n", r"phone ''"),
        (f"{HEADER}\n{GOOD_ROW.replace('province,', 'kingdom,')}\n", r"kind 'kingdom'"),
        (f"{HEADER}\n{GOOD_ROW.replace(',เชียงราย,', ',,')}\n", r"province_th is empty"),
        (f"{HEADER}\n{GOOD_ROW}chiangmai\n", r"a provincial centre has no parent"),
        (
            _second(
                GOOD_ROW.replace("chiangrai,", "maesai,", 1).replace(",province,", ",district,x")
            ),
            r"'maesai' has unknown parent 'x'",
        ),
        (f"{HEADER}\n", r"no centres"),
        ("", r"header must be"),
    ],
)
def test_parse_rejects_broken_files(text: str, message: str) -> None:
    with pytest.raises(CentreDataError, match=message):
        parse_centres(text, source="broken.csv")


def test_error_names_the_source() -> None:
    with pytest.raises(CentreDataError, match=r"^broken\.csv line 2: "):
        parse_centres(f"{HEADER}\n{GOOD_ROW.replace('TH-57', 'X')}\n", source="broken.csv")
