"""Coordinates: where each province's seat and each provincial centre is, and what is
nearest to a point.

Public answers (Open311) give a province's seat, never anyone's own position.
"""

from __future__ import annotations

import csv
import io
import math
from functools import cache
from pathlib import Path

from casestore.centres import Centre, all_centres, load_centres

from ._data import data_path, data_text, places_json

#: A point "in or near Thailand": the box nearest-province answers for.
THAILAND_BOX = ((5.0, 21.0), (97.0, 106.0))


@cache
def halls() -> dict[str, tuple[float, float]]:
    """ISO code → (lat, lon) of the provincial hall's town (``data/places.json``, ``halls``:
    compiled by hand, rounded to 0.01°)."""
    return {iso: (float(ll[0]), float(ll[1])) for iso, ll in places_json()["halls"].items()}


@cache
def _province_points() -> dict[str, tuple[float, float]]:
    """ISO code → (lat, lon) of the province's seat: ``centres.csv``'s ``lat``/``lon`` of the
    provincial and Bangkok rows when it has them, else the halls."""
    points = {
        c.iso: (c.lat, c.lon)
        for c in all_centres()
        if c.iso and c.kind in ("province", "bangkok") and c.lat is not None and c.lon is not None
    }
    return points or halls()


def province_point(iso: str | None) -> tuple[float, float] | None:
    """Approximate (lat, lon) of a province's seat (the provincial hall's town), or None."""
    return _province_points().get(iso) if iso else None


def nearest_province(lat: float, lon: float) -> str | None:
    """ISO code of the province whose seat is nearest to a point in or near Thailand; None
    for a point outside (5–21 °N, 97–106 °E) or when no positions are known."""
    (south, north), (west, east) = THAILAND_BOX
    if not (south <= lat <= north and west <= lon <= east):
        return None
    points = _province_points()
    if not points:
        return None
    coslat = math.cos(math.radians(lat))
    return min(
        points,
        key=lambda iso: (points[iso][0] - lat) ** 2 + ((points[iso][1] - lon) * coslat) ** 2,
    )


@cache
def _seats() -> dict[str, tuple[float, float]]:
    """Centre slug → town centre of its provincial seat (``data/seat_locations.csv``, two
    decimals, a few km at most from the provincial hall)."""
    rows = csv.DictReader(io.StringIO(data_text("seat_locations.csv")))
    return {row["slug"]: (float(row["lat"]), float(row["lon"])) for row in rows}


def centre_point(centre: Centre) -> tuple[float, float] | None:
    """A centre's lat/lon: from the centre list when it has them, else its seat's town."""
    if centre.lat is not None and centre.lon is not None:
        return centre.lat, centre.lon
    return _seats().get(centre.slug)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2
    ) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest_centre(lat: float, lon: float) -> Centre:
    """The provincial centre whose position is nearest to (lat, lon), anywhere on Earth
    (what the web chat's "nearest to me" computes in the browser)."""
    best: tuple[float, Centre] | None = None
    for c in load_centres():
        where = centre_point(c)
        if where is None:
            continue
        d = distance_km((lat, lon), where)
        if best is None or d < best[0]:
            best = (d, c)
    assert best is not None
    return best[1]


def data_files() -> tuple[Path, ...]:
    """The place data files on disk (for caches that must change when the data does)."""
    return (data_path("places.json"), data_path("seat_locations.csv"))
