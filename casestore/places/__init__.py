"""Places: the domain's one source of place knowledge.

Everything the project knows about Thai places, and nothing about reading citizens' text:

* **Names and codes** (:mod:`.gazetteer`): the 77 provinces (ISO 3166-2 ``TH-57``; the
  numeric codes are DOPA's), 928 districts (four-digit DOPA codes; Bangkok's เขต included)
  and 7,400 subdistricts from ``geothai``; the names people actually write (โคราช, กทม.,
  Pattaya…) and the names that are also ordinary words (เลย, ตาก, สอง…) from
  ``data/places.json``; a province's own centre (the provincial or Bangkok centre of
  :mod:`casestore.centres`, the registry of centres, which places builds on); the Thai
  postal-style address ``อ.แม่สาย จ.เชียงราย``.
* **Coordinates** (:mod:`.geo`): each province's seat and the province nearest to a point
  (``data/places.json``, ``halls``, unless ``centres.csv`` gives positions); each
  provincial centre's position for the web chat's "nearest to me" (``data/seat_locations.csv``
  unless ``centres.csv`` gives positions) and the nearest centre.
* **Addresses** (:mod:`.address`): the province and district an Open311 ``address_string``
  names.

Finding place *mentions* in a citizen's free text (markers, word cuts, scoring) is NLP and
stays in ``bots/locate.py``, which takes every fact from here.

The two coordinate tables differ slightly (7 of 76 rows by 0.01–0.02°, about 1–2 km): the
halls were compiled for triage, the seats for the web chat. Both are kept as they were so
that no routing changes; merging them is a data review, not a refactoring.
"""

from .address import AmbiguousAddress, province_in_address
from .gazetteer import (
    Gazetteer,
    Province,
    address_th,
    canon_en,
    district_code,
    district_name,
    gazetteer,
    normal_iso,
    province,
    provinces,
    subdistricts,
)
from .geo import (
    centre_point,
    data_files,
    distance_km,
    halls,
    nearest_centre,
    nearest_province,
    province_point,
)
from .landmarks import INSTITUTIONS, LANDMARKS, NAME_PARTS

__all__ = [
    "INSTITUTIONS",
    "LANDMARKS",
    "NAME_PARTS",
    "AmbiguousAddress",
    "Gazetteer",
    "Province",
    "address_th",
    "canon_en",
    "centre_point",
    "data_files",
    "distance_km",
    "district_code",
    "district_name",
    "gazetteer",
    "halls",
    "nearest_centre",
    "nearest_province",
    "normal_iso",
    "province",
    "province_in_address",
    "province_point",
    "provinces",
    "subdistricts",
]
