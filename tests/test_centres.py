"""The centre list: casestore/data/centres.csv and casestore.centres."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from collections import Counter
from pathlib import Path

import geothai
import pytest

from casestore.centres import (
    CENTRE_SETS,
    Centre,
    CentreDataError,
    all_centres,
    centre_by_district_code,
    centre_by_iso,
    centre_by_slug,
    centre_slugs,
    children_of,
    load_centre_sets,
    load_centres,
    parse_centres,
)

REPO = Path(__file__).resolve().parents[1]
CSV_PATH = REPO / "casestore" / "data" / "centres.csv"
SEED = REPO.parent / "shared" / "seeds" / "000_de99c37c951c777e.txt"
GENERATOR = REPO / "scripts" / "gen_districts.py"
HEADER = (
    "slug,iso,name_th,name_en,province_th,province_en,phone,lat,lon,kind,parent,"
    "district_code,district_th,district_en"
)
GOOD_ROW = (
    "chiangrai,TH-57,ศูนย์ดำรงธรรมจังหวัดเชียงราย,Chiang Rai Provincial Damrongdham Centre,"
    "เชียงราย,Chiang Rai,1567,,,province,,,,"
)
DISTRICT_ROW = (
    "chiangrai-maesai,TH-57,ศูนย์ดำรงธรรมอำเภอแม่สาย,Mae Sai District Damrongdham Centre,"
    "เชียงราย,Chiang Rai,1567,,,district,chiangrai,5709,แม่สาย,Mae Sai"
)
NATIONAL_ROW = (
    "moi,,ศูนย์ดำรงธรรมกระทรวงมหาดไทย,Ministry of Interior Damrongdham Centre,,,1567,,,national,,,,"
)
BANGKOK_ROW = (
    "bangkok,TH-10,ศูนย์ดำรงธรรมกรุงเทพมหานคร,Bangkok Damrongdham Centre,"
    "กรุงเทพมหานคร,Bangkok,1567,,,bangkok,,,,"
)
GEOTHAI_DISTRICTS = [d for p in geothai.provinces() for d in geothai.districts(p.code)]


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
    assert "\r" not in text
    assert len(text.splitlines()) == 1 + len(all_centres())


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


def test_default_set_has_no_bangkok() -> None:
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
    assert c.district_code is None


def test_parse_accepts_district_and_national_rows() -> None:
    province, district, national = parse_centres(
        f"{HEADER}\n{GOOD_ROW}\n{DISTRICT_ROW}\n{NATIONAL_ROW}\n"
    )
    assert district.parent == province.slug == "chiangrai"
    assert (district.district_code, district.district_th, district.district_en) == (
        "5709",
        "แม่สาย",
        "Mae Sai",
    )
    assert national.iso is None
    assert national.ref_prefix == "TH00"


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
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'chiang_rai,', 1)}\n", r"slug 'chiang_rai'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'chiang--rai,', 1)}\n", r"single hyphens"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', '-chiangrai,', 1)}\n", r"slug '-chiangrai'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'chiangrai-,', 1)}\n", r"slug 'chiangrai-'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'chiangrai2,', 1)}\n", r"slug 'chiangrai2'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'chiang rai,', 1)}\n", r"slug 'chiang rai'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'เชียงราย,', 1)}\n", r"slug 'เชียงราย'"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', 'a' * 65 + ',', 1)}\n", r"at most 64"),
        (f"{HEADER}\n{GOOD_ROW.replace('chiangrai,', ',', 1)}\n", r"slug ''"),
        (f"{HEADER}\n{GOOD_ROW.replace('TH-57', 'TH57')}\n", r"line 2: iso 'TH57'"),
        (f"{HEADER}\n{GOOD_ROW.replace('TH-57', 'TH-5')}\n", r"iso 'TH-5'"),
        (f"{HEADER}\n{GOOD_ROW.replace('TH-57', 'TH-S')}\n", r"iso 'TH-S'"),
        (f"{HEADER.replace('slug', 'id')}\n{GOOD_ROW}\n", r"header must be"),
        (f"{HEADER}\n{GOOD_ROW.rsplit(',', 2)[0]}\n", r"line 2: expected 14 columns"),
        (f"{HEADER}\n{GOOD_ROW},extra\n", r"line 2: expected 14 columns"),
        (f"{HEADER}\n{GOOD_ROW.replace('1567,,,', '1567,north,99.8,')}\n", r"lat 'north'"),
        (f"{HEADER}\n{GOOD_ROW.replace('1567,,,', '1567,19.9,,')}\n", r"both lat and lon"),
        (f"{HEADER}\n{GOOD_ROW.replace('1567,,,', '1567,199.9,99.8,')}\n", r"lat 199.9"),
        (f"{HEADER}\n{GOOD_ROW.replace(',1567,', ',,')}\n", r"phone ''"),
        (f"{HEADER}\n{GOOD_ROW.replace('province,', 'kingdom,')}\n", r"kind 'kingdom'"),
        (f"{HEADER}\n{GOOD_ROW.replace(',เชียงราย,', ',,')}\n", r"province_th is empty"),
        (f"{HEADER}\n{GOOD_ROW[:-3]}chiangmai,,,\n", r"a province centre has no parent"),
        (
            _second(DISTRICT_ROW.replace(",chiangrai,", ",x,")),
            r"line 3: district slug 'chiangrai-maesai' must start with its parent's slug 'x-'",
        ),
        (
            _second(DISTRICT_ROW.replace("chiangrai-", "x-").replace(",chiangrai,", ",x,")),
            r"line 3: centre 'x-maesai' has unknown parent 'x'",
        ),
        (
            f"{HEADER}\n{NATIONAL_ROW}\n"
            f"{DISTRICT_ROW.replace('chiangrai-', 'moi-').replace(',chiangrai,', ',moi,')}\n",
            r"line 3: district centre 'moi-maesai' must have the TH-57 provincial centre as parent",
        ),
        (
            _second(DISTRICT_ROW.replace(",chiangrai,", ",,")),
            r"line 3: a district centre needs a parent",
        ),
        (_second(DISTRICT_ROW.replace(",5709,", ",,")), r"line 3: district_code is empty"),
        (_second(DISTRICT_ROW.replace(",5709,", ",57050,")), r"district_code '57050' must be four"),
        (_second(DISTRICT_ROW.replace(",5709,", ",5005,")), r"'5005' is not in province TH-57"),
        (_second(DISTRICT_ROW.removesuffix("Mae Sai")), r"line 3: district_en is empty"),
        (
            f"{HEADER}\n{GOOD_ROW}\n{DISTRICT_ROW}\n"
            f"{DISTRICT_ROW.replace('chiangrai-maesai', 'chiangrai-other')}\n",
            r"line 4: duplicate district_code '5709' \(first on line 3\)",
        ),
        (f"{HEADER}\n{GOOD_ROW[:-3]},5709,,\n", r"district_code is only for district centres"),
        (f"{HEADER}\n{DISTRICT_ROW.replace('TH-57', '')}\n", r"line 2: iso '' must match"),
        (f"{HEADER}\n{GOOD_ROW.replace('TH-57', '')}\n", r"line 2: iso '' must match"),
        (
            f"{HEADER}\n{NATIONAL_ROW.replace('moi,,', 'moi,TH57,')}\n",
            r"iso 'TH57' must be empty or",
        ),
        (
            f"{HEADER}\n{BANGKOK_ROW.replace('TH-10', 'TH-57')}\n",
            r"the Bangkok centre has iso 'TH-10', not 'TH-57'",
        ),
        (
            _second(BANGKOK_ROW).replace(GOOD_ROW, GOOD_ROW.replace("TH-57", "TH-10")),
            r"line 3: duplicate iso 'TH-10' \(first on line 2\)",
        ),
        (
            f"{HEADER}\n{NATIONAL_ROW.replace(NATIONAL_ROW.split(',')[3], '')}\n",
            r"name_en is empty",
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


# --- optional sets: bangkok, national, districts -------------------------------------------


def test_sets_and_counts() -> None:
    assert CENTRE_SETS == ("provinces", "bangkok", "national", "districts")
    counts = {name: len(load_centre_sets([name])) for name in CENTRE_SETS}
    assert counts == {
        "provinces": 76,
        "bangkok": 1,
        "national": 2,
        "districts": len(GEOTHAI_DISTRICTS),
    }
    assert len(GEOTHAI_DISTRICTS) == 928  # 878 อำเภอ + Bangkok's 50 เขต (geothai 2026.10.23)
    assert len(all_centres()) == sum(counts.values()) == 1007
    assert load_centre_sets(CENTRE_SETS) == all_centres()
    assert Counter(c.kind for c in all_centres()) == {
        "province": 76,
        "bangkok": 1,
        "national": 2,
        "district": 928,
    }


def test_default_set_is_still_the_76_provinces() -> None:
    assert load_centre_sets(["provinces"]) is load_centres()
    assert load_centres() == all_centres()[:76]
    assert centre_slugs() == {c.slug for c in load_centres()}


def test_sets_come_in_file_order_each_once() -> None:
    both = load_centre_sets(["national", "bangkok", "national"])
    assert [c.slug for c in both] == ["bangkok", "moi", "dopa"]
    assert load_centre_sets("bangkok") == load_centre_sets(["bangkok"])
    assert load_centre_sets([]) == ()


@pytest.mark.parametrize("sets", [["province"], ["provinces", "Districts"], ["all"], "national,"])
def test_unknown_set_is_refused_naming_the_valid_ones(sets: list[str] | str) -> None:
    with pytest.raises(
        ValueError, match=r"unknown centre set.*valid sets: provinces, bangkok, national, districts"
    ):
        load_centre_sets(sets)


def test_slugs_unique_and_valid_localparts() -> None:
    slugs = [c.slug for c in all_centres()]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", slug), slug
        assert len(slug) <= 64, slug


def test_bangkok_row() -> None:
    (c,) = load_centre_sets(["bangkok"])
    assert c is centre_by_slug("bangkok") is centre_by_iso("TH-10", sets=["provinces", "bangkok"])
    assert centre_by_iso("th10", sets=CENTRE_SETS) is c
    assert centre_by_iso("TH-10") is None  # not in the default set: no room to route to
    assert centre_by_iso("TH-57", sets=["bangkok"]) is None
    assert (c.kind, c.iso, c.parent, c.district_code) == ("bangkok", "TH-10", None, None)
    assert c.name_th == "ศูนย์ดำรงธรรมกรุงเทพมหานคร"
    assert c.name_en == "Bangkok Damrongdham Centre"
    assert (c.province_th, c.province_en) == ("กรุงเทพมหานคร", "Bangkok")
    assert c.ref_prefix == "TH10"
    assert c not in load_centres()


def test_national_rows() -> None:
    moi, dopa = load_centre_sets(["national"])
    assert (moi.slug, moi.name_th) == ("moi", "ศูนย์ดำรงธรรมกระทรวงมหาดไทย")
    assert moi.name_en == "Ministry of Interior Damrongdham Centre"
    assert (dopa.slug, dopa.name_th) == ("dopa", "ศูนย์ดำรงธรรมกรมการปกครอง")
    assert dopa.name_en == "Department of Provincial Administration Damrongdham Centre"
    for c in (moi, dopa):
        assert c.kind == "national"
        assert c.iso is None
        assert c.ref_prefix == "TH00"
        assert (c.province_th, c.province_en, c.parent) == ("", "", None)
        assert centre_by_slug(c.slug) is c
        assert children_of(c.slug) == ()


def test_every_geothai_district_once_with_the_right_parent() -> None:
    districts = load_centre_sets(["districts"])
    assert [c.district_code for c in districts if c.iso != "TH-10"] == [
        d.code
        for p in load_centres()
        for d in geothai.districts(p.iso.removeprefix("TH-"))  # type: ignore[union-attr]
    ]
    by_code = {c.district_code: c for c in districts}
    assert len(by_code) == len(districts) == len(GEOTHAI_DISTRICTS)
    for d in GEOTHAI_DISTRICTS:
        c = by_code[d.code]
        assert centre_by_district_code(d.code) is c
        province = geothai.province(d.province_code)
        assert province is not None
        parent = centre_by_iso(f"TH-{d.province_code}", sets=CENTRE_SETS)
        assert parent is not None and c.parent == parent.slug, c
        assert parent.kind == ("bangkok" if d.province_code == "10" else "province")
        assert c.kind == "district"
        assert c.iso == parent.iso == f"TH-{d.province_code}"
        assert (c.province_th, c.province_en) == (province.name_th, province.name_en)
        assert (c.district_th, c.district_en) == (d.name_th, d.name_en)
        assert c.slug.startswith(f"{parent.slug}-")
        assert c.name_en == f"{d.name_en} District Damrongdham Centre"
        if d.province_code == "10":
            assert d.name_th.startswith("เขต")
            assert c.name_th == f"ศูนย์ดำรงธรรม{d.name_th}"  # ศูนย์ดำรงธรรมเขตพระนคร
        else:
            assert c.name_th == f"ศูนย์ดำรงธรรมอำเภอ{d.name_th}"
        assert (c.phone, c.lat, c.lon) == ("1567", None, None)


def test_district_slugs_follow_the_rule() -> None:
    overridden = {"1413": "phranakhonsiyutthaya-bangsaai"}  # both 1404 and 1413 are "Bang Sai"
    for c in load_centre_sets(["districts"]):
        assert c.district_en is not None and c.parent is not None
        plain = f"{c.parent}-{re.sub(r'[^a-z]', '', c.district_en.lower())}"
        assert c.slug == overridden.get(c.district_code or "", plain), c


def test_district_examples() -> None:
    maesai = centre_by_slug("chiangrai-maesai")
    assert maesai is not None
    assert maesai is centre_by_district_code("5709") is centre_by_district_code(" 5709 ")
    assert maesai.name_th == "ศูนย์ดำรงธรรมอำเภอแม่สาย"
    assert maesai.name_en == "Mae Sai District Damrongdham Centre"
    assert maesai.ref_prefix == "TH57"
    capital = centre_by_slug("chiangrai-mueangchiangrai")
    assert capital is not None and capital.district_code == "5701"
    khet = centre_by_district_code("1001")
    assert khet is not None
    assert (khet.slug, khet.parent, khet.name_th) == (
        "bangkok-phranakhon",
        "bangkok",
        "ศูนย์ดำรงธรรมเขตพระนคร",
    )
    assert centre_by_district_code("9999") is None
    assert centre_by_district_code("57") is None


def test_children_of() -> None:
    kids = children_of("chiangrai")
    assert [c.district_code for c in kids] == [d.code for d in geothai.districts("57")]
    assert children_of("ChiangRai") == kids
    assert len(children_of("bangkok")) == len(geothai.districts("10")) == 50
    assert children_of("chiangrai-maesai") == ()
    assert children_of("atlantis") == ()
    assert sum(len(children_of(p.slug)) for p in load_centres()) == 878


def test_province_iso_unique_across_provinces_and_bangkok() -> None:
    heads = [c for c in all_centres() if c.kind in ("province", "bangkok")]
    assert sorted(c.iso or "" for c in heads) == sorted(f"TH-{p.code}" for p in geothai.provinces())


def test_lookups_restricted_to_sets() -> None:
    maesai = centre_by_slug("chiangrai-maesai")
    assert maesai is not None
    assert centre_by_slug("chiangrai-maesai", sets=["districts"]) is maesai
    assert centre_by_slug("chiangrai-maesai", sets=["provinces"]) is None
    assert centre_by_slug("moi", sets=["provinces", "bangkok"]) is None
    assert centre_by_slug("chiangrai", sets=["provinces"]) is load_centres()[0]
    assert centre_by_iso("TH-57", sets=CENTRE_SETS) is centre_by_iso("TH-57")
    assert centre_by_iso("TH-57", sets=["districts"]) is None  # districts never serve a province
    with pytest.raises(ValueError, match="valid sets"):
        centre_by_iso("TH-57", sets=["province"])
    with pytest.raises(ValueError, match="valid sets"):
        centre_by_slug("chiangrai", sets=["bkk"])


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_districts", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_file_is_what_the_generator_writes() -> None:
    current = CSV_PATH.read_text(encoding="utf-8")
    gen = _generator()
    assert gen.render(current) == current
    # and it only needs the provincial rows: the rest is rebuilt from geothai
    provincial = "".join(current.splitlines(keepends=True)[:77])
    assert gen.render(provincial) == current
