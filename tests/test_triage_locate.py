"""Province and district from what people write, and coordinates to the nearest centre."""

from __future__ import annotations

import pytest

from bots.locate import locate
from bots.normalise import normalise
from casestore.places import district_code, halls, nearest_province


def _where(text: str) -> tuple[str | None, str | None]:
    place = locate(normalise(text))
    return place.province, place.district


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("ไฟดับทั้งซอย อยู่โคราชครับ", "TH-30"),
        ("บ้านอยู่อยุธยา น้ำท่วม", "TH-14"),
        ("รถติดมากใน กทม.", "TH-10"),
        ("นครศรีฯ ถนนพัง", "TH-80"),
        ("อุบลฯ ไฟไม่มา", "TH-34"),
        ("สุราษฎร์ เรือล่ม", "TH-84"),
        ("โดนโกงที่พัทยา", "TH-20"),
        ("แม่สอด ชายแดน", "TH-63"),  # a district names its province
        ("ทางไปอุ้มผางพัง", "TH-63"),
        ("bar in Patong is too loud", "TH-83"),
        ("I live in Korat", "TH-30"),
        ("noise in hat yai", "TH-90"),
        ("Koh Samui water supply", "TH-84"),
        ("เกิดเหตุที่ จ.ตาก", "TH-63"),
        ("ตาก ไฟป่าลามเข้าหมู่บ้าน", "TH-63"),  # standing alone at the start
        ("อยู่ จ แพร่ ค่ะ", "TH-54"),
        ("อ.เมืองน่าน ถนนพัง", "TH-55"),
    ],
)
def test_names_people_write(text: str, province: str) -> None:
    assert _where(text)[0] == province


@pytest.mark.parametrize(
    "text",
    [
        "ตากผ้าไว้แล้วฝนตก",
        "ช่วยเผยแพร่ด้วยนะคะ",
        "เชื้อโรคแพร่ระบาด",
        "ไปเลยไม่ต้องรอ",
        "ดีมากเลย",
        "น่านน้ำไทยมีเรือประมงเถื่อน",
        "มีลูกสองคน",  # สอง (two) is also a district of Phrae
        "สังคมทุกวันนี้แย่มาก",  # สังคม is a district of Nong Khai
        "คงไม่มีใครช่วย",  # คง is a district of Korat
        "ถนนคอนกรีตแตก",
        "The employer fired me",
        "Nan said hello",  # an English word, not Nan province, without a cue
    ],
)
def test_ordinary_words_are_not_places(text: str) -> None:
    assert _where(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "province", "district"),
    [
        ("อ.แม่สาย จ.เชียงราย", "TH-57", "แม่สาย"),
        ("อำเภอสอง จังหวัดแพร่", "TH-54", "สอง"),
        ("อ.เมือง จ.เชียงราย ถนนพัง", "TH-57", "เมืองเชียงราย"),
        ("อำเภอเมืองขอนแก่น", "TH-40", "เมืองขอนแก่น"),
        ("เขตบางรัก กรุงเทพ", "TH-10", "เขตบางรัก"),
        ("ลาดพร้าว กทม", "TH-10", "เขตลาดพร้าว"),
        ("หาดใหญ่ สงขลา", "TH-90", "หาดใหญ่"),
        ("ต.แม่สาย อ.แม่สาย", "TH-57", "แม่สาย"),
    ],
)
def test_districts(text: str, province: str, district: str) -> None:
    assert _where(text) == (province, district)


def test_district_code_accepts_names_and_codes() -> None:
    assert district_code("แม่สาย", "TH-57") == district_code("อ.แม่สาย") == "5709"
    assert district_code("บางรัก", "TH-10") == district_code("เขตบางรัก")
    assert district_code("5709") == "5709"
    assert district_code("ไม่มีอำเภอนี้") is None


def test_a_named_province_beats_a_district_elsewhere() -> None:
    # เฉลิมพระเกียรติ exists in several provinces: the named one decides
    assert _where("อ.เฉลิมพระเกียรติ จ.น่าน")[0] == "TH-55"


def test_first_named_province_wins_between_equals() -> None:
    assert _where("ย้ายจากเชียงใหม่มาอยู่เชียงราย")[0] == "TH-57"  # where they live now


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("geo:13.7563,100.5018", "TH-10"),
        ("ส่งพิกัดค่ะ geo:18.7883,98.9853", "TH-50"),
        ("https://maps.google.com/?q=7.8804,98.3923", "TH-83"),
        ("ตำแหน่ง 14.9799, 102.0977 ถนนพัง", "TH-30"),
        ("geo:19.9105,99.8406;u=35", "TH-57"),
    ],
)
def test_coordinates_go_to_the_nearest_provincial_hall(text: str, province: str) -> None:
    assert _where(text)[0] == province


def test_coordinates_outside_thailand_are_ignored() -> None:
    assert nearest_province(48.85, 2.35) is None
    assert _where("geo:48.8566,2.3522") == (None, None)


def test_every_hall_is_nearest_to_itself() -> None:
    for iso, (lat, lon) in halls().items():
        assert nearest_province(lat, lon) == iso


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("ที่เชียงใหม ไฟป่าเยอะมาก", "TH-50"),  # the tone mark forgotten
        ("อยู่บุรีรัม ค่ะ", "TH-31"),
        ("แถวบางนาตราดมีแก๊งกระชากกระเป๋า", "TH-10"),  # a Bangkok road, not Trat
        ("ร้านอาหารแถวสีลม", "TH-10"),
    ],
)
def test_typos_and_landmarks(text: str, province: str) -> None:
    assert _where(text)[0] == province


def test_a_river_is_not_its_province() -> None:
    assert _where("ไฟส่องสว่างบนสะพานข้ามแม่น้ำน่าน")[0] is None
