"""Write the Bangkok, national and district rows of casestore/data/centres.csv.

The 76 provincial rows (kind ``province``) were reviewed by hand and are kept as they are;
every other row is rebuilt here: the Bangkok centre, the two national centres, then one
district centre per district of ``geothai`` (Bangkok's เขต included), grouped by parent in
the order the parents appear in the file and sorted by DOPA district code within each.

    .venv/bin/python scripts/gen_districts.py          # rewrite the file
    .venv/bin/python scripts/gen_districts.py --check  # exit 1 if the file is out of date

Deterministic: the output depends only on the provincial rows and the geothai data.
Slugs are ``<province slug>-<district>``, the district part being geothai's English name
lowercased with only a-z kept. Two districts of one province that end up with the same
slug must be told apart in SLUG_OVERRIDES, or the script stops.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import geothai

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from casestore.centres import FIELDS, parse_centres  # noqa: E402

CSV_PATH = REPO / "casestore" / "data" / "centres.csv"
PHONE = "1567"  # national hotline until per-centre numbers are verified

BANGKOK = {
    "slug": "bangkok",
    "iso": "TH-10",
    "name_th": "ศูนย์ดำรงธรรมกรุงเทพมหานคร",
    "name_en": "Bangkok Damrongdham Centre",
    "kind": "bangkok",
}
NATIONAL = (
    {
        "slug": "moi",
        "name_th": "ศูนย์ดำรงธรรมกระทรวงมหาดไทย",
        "name_en": "Ministry of Interior Damrongdham Centre",
        "kind": "national",
    },
    {
        "slug": "dopa",
        "name_th": "ศูนย์ดำรงธรรมกรมการปกครอง",
        "name_en": "Department of Provincial Administration Damrongdham Centre",
        "kind": "national",
    },
)

# District code -> district part of the slug, for districts whose plain slug is taken by a
# district of the same province with a lower code.
SLUG_OVERRIDES: dict[str, str] = {
    # บางไทร (1404) and บางซ้าย (1413) are both "Bang Sai" in geothai (RTGS); 1404 keeps
    # "bangsai", and the long vowel of ซ้าย is doubled here, as Paiboon romanisation does.
    "1413": "bangsaai",
}


def ascii_part(name_en: str) -> str:
    """``"Mueang Chiang Rai"`` -> ``"mueangchiangrai"``."""
    return re.sub(r"[^a-z]", "", name_en.lower())


def _row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(FIELDS, "")
    row["phone"] = PHONE
    row.update(values)
    return row


def _province_rows(text: str) -> list[dict[str, str]]:
    """The hand-written provincial rows, whatever columns the current file has."""
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    for found in reader:
        if found.get("kind") != "province":
            continue
        row = dict.fromkeys(FIELDS, "")
        row.update({k: v for k, v in found.items() if k in row})
        rows.append(row)
    if len(rows) != 76:
        raise SystemExit(f"expected 76 provincial rows in {CSV_PATH}, found {len(rows)}")
    return rows


def district_rows(parents: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per geothai district, grouped by parent (in ``parents`` order)."""
    rows = []
    unused = dict(SLUG_OVERRIDES)
    for parent in parents:
        code = parent["iso"].removeprefix("TH-")
        province = geothai.province(code)
        if province is None:
            raise SystemExit(f"geothai has no province {parent['iso']}")
        taken: dict[str, str] = {}
        for d in geothai.districts(code):  # sorted by code
            part = unused.pop(d.code, None) or ascii_part(d.name_en)
            if part in taken:
                raise SystemExit(
                    f"districts {taken[part]} and {d.code} of {province.name_en} both give "
                    f"{parent['slug']}-{part}: add one of them to SLUG_OVERRIDES"
                )
            taken[part] = d.code
            is_khet = d.name_th.startswith("เขต")  # geothai writes Bangkok's เขต with the word
            rows.append(
                _row(
                    slug=f"{parent['slug']}-{part}",
                    iso=parent["iso"],
                    name_th=f"ศูนย์ดำรงธรรม{'' if is_khet else 'อำเภอ'}{d.name_th}",
                    name_en=f"{d.name_en} District Damrongdham Centre",
                    province_th=province.name_th,
                    province_en=province.name_en,
                    kind="district",
                    parent=parent["slug"],
                    district_code=d.code,
                    district_th=d.name_th,
                    district_en=d.name_en,
                )
            )
    if unused:
        raise SystemExit(f"SLUG_OVERRIDES names unknown district codes {sorted(unused)}")
    return rows


def render(current: str) -> str:
    """The whole file, given the current file's text (for its provincial rows)."""
    provinces = _province_rows(current)
    bkk = geothai.province("10")
    if bkk is None:
        raise SystemExit("geothai has no Bangkok (10)")
    bangkok = _row(**BANGKOK, province_th=bkk.name_th, province_en=bkk.name_en)
    national = [_row(**n) for n in NATIONAL]
    rows = [*provinces, bangkok, *national, *district_rows([*provinces, bangkok])]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = out.getvalue()
    parse_centres(text, source="generated centres.csv")  # never write a file the loader refuses
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    current = CSV_PATH.read_text(encoding="utf-8")
    text = render(current)
    if args.check:
        if text != current:
            print(f"{CSV_PATH} is out of date: run scripts/gen_districts.py", file=sys.stderr)
            return 1
        print(f"{CSV_PATH} is up to date (geothai {geothai.DATA_VERSION})")
        return 0
    CSV_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10)) - 1} centres to {CSV_PATH} (geothai {geothai.DATA_VERSION})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
