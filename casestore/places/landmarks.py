"""Places people name instead of an address, and the words that make a place name part of
another name.

* `LANDMARKS`: roads, areas, stations and buildings written without their province, each
  with the province it is in. Many Bangkok roads carry a province's name (ถนนสุโขทัย,
  ถนนนครราชสีมา, ถนนพิษณุโลก, ถนนเพชรบุรี, ถนนกำแพงเพชร, ถนนศรีอยุธยา, ถนนนครสวรรค์,
  ถนนนครไชยศรี, ถนนสวรรคโลก, ถนนเชียงใหม่ in Khlong San); Suvarnabhumi airport is in
  Samut Prakan, Don Mueang in Bangkok. Facts, written for this project.
* `NAME_PARTS`: a province or district name right after one of these words names a road,
  soi, market, village, temple, company, station… and says nothing of where it is
  (ถนนเชียงใหม่-ลำปาง is in Chiang Mai; a Lampang bus company has a Bangkok office).
* `INSTITUTIONS`: after these (a hospital, a school, a university, a provincial office) the
  name is a weak hint: such places are usually in the province they are named after
  (รพ.ขอนแก่น), so the name counts only when nothing else says where.
"""

from __future__ import annotations

BANGKOK = "TH-10"

_BANGKOK_ROADS = (
    "สุโขทัย", "นครราชสีมา", "พิษณุโลก", "เพชรบุรี", "เพชรบุรีตัดใหม่", "กำแพงเพชร", "ศรีอยุธยา",
    "นครสวรรค์", "นครไชยศรี", "สวรรคโลก", "นครปฐม", "สุขุมวิท", "รัชดาภิเษก", "รัชดา", "ลาดพร้าว",
    "รามคำแหง", "สีลม", "สาทร", "เยาวราช", "ราชดำเนิน", "พระราม 4", "พระราม 9", "พระรามเก้า",
    "พระราม 6", "วิภาวดีรังสิต", "วิภาวดี", "จรัญสนิทวงศ์", "ประชาอุทิศ", "อ่อนนุช", "รามอินทรา",
    "เจริญกรุง", "ข้าวสาร", "ราชวิถี", "ราชปรารภ", "พญาไท", "อโศก", "ทองหล่อ", "เอกมัย",
    "เพลินจิต", "วิทยุ", "สามเสน", "ประดิพัทธ์", "สุทธิสาร", "ห้วยขวาง", "เอกชัย", "บรมราชชนนี",
)
_BANGKOK_PLACES = (
    "สยาม", "สยามพารากอน", "มาบุญครอง", "เซ็นทรัลเวิลด์", "ไอคอนสยาม",
    "อนุสาวรีย์ชัย", "อนุสาวรีย์ชัยสมรภูมิ", "สนามหลวง", "ประตูน้ำ", "ราชประสงค์", "ประตูน้ำ",
    "หมอชิต", "หัวลำโพง", "สะพานควาย", "อารีย์", "ตลาดนัดจตุจักร", "สวนจตุจักร", "สวนลุมพินี",
    "ท่าพระจันทร์", "สามย่าน", "สยามสแควร์", "ทำเนียบรัฐบาล", "สนามบินดอนเมือง",
    "สถานีกลางกรุงเทพอภิวัฒน์", "บางซื่อ", "ตลาด อตก.", "เยาวราช", "ข้าวสาร",
)
_ELSEWHERE = {
    "สุวรรณภูมิ": "TH-11",  # the airport, Bang Phli, Samut Prakan
    "สนามบินสุวรรณภูมิ": "TH-11",
    "บางแสน": "TH-20",
    "พัทยา": "TH-20",
    "หนองมน": "TH-20",
    "นิคมอมตะ": "TH-20",
}

#: A landmark's name → its province (ISO 3166-2).
LANDMARKS: dict[str, str] = {
    **{f"ถนน{r}": BANGKOK for r in _BANGKOK_ROADS},
    **{f"ถ.{r}": BANGKOK for r in _BANGKOK_ROADS},
    **{f"ถนน {r}": BANGKOK for r in _BANGKOK_ROADS},
    **{f"ซอย{r}": BANGKOK for r in _BANGKOK_ROADS},
    **{f"ซ.{r}": BANGKOK for r in _BANGKOK_ROADS},
    **{r: BANGKOK for r in _BANGKOK_ROADS if len(r) >= 4 and r not in (
        "สุโขทัย", "นครราชสีมา", "พิษณุโลก", "เพชรบุรี", "กำแพงเพชร", "นครสวรรค์", "นครปฐม",
        "สวรรคโลก", "นครไชยศรี", "ศรีอยุธยา")},
    **dict.fromkeys(_BANGKOK_PLACES, BANGKOK),
    **{"bts": BANGKOK, "mrt": BANGKOK, "บีทีเอส": BANGKOK, "รถไฟฟ้าใต้ดิน": BANGKOK},
    **_ELSEWHERE,
}

NAME_PARTS: tuple[str, ...] = (
    "ถนน", "ถ.", "ซอย", "ซ.", "ตรอก", "ตลาด", "หมู่บ้าน", "วัด", "บริษัท", "บจก.", "หจก.", "ห้าง",
    "ห้างหุ้นส่วน", "สถานี", "สะพาน", "แยก", "ทางหลวง", "สาย", "อาคาร", "คอนโด", "หอพัก",
    "ชุมชน", "โครงการ", "สนาม", "ค่าย", "ธนาคาร", "สหกรณ์", "โรงแรม", "ร้าน", "รถ", "ท่ารถ",
    "ขนส่ง", "พลาซ่า",
)
INSTITUTIONS: tuple[str, ...] = (
    "รพ.", "โรงพยาบาล", "โรงเรียน", "ร.ร.", "รร.", "มหาวิทยาลัย", "ม.", "มหา'ลัย", "วิทยาลัย",
    "สำนักงาน", "สนง.", "ศาลากลาง", "ศาล", "เรือนจำ",
)
