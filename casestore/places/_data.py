"""Reading the data files that come with the places package (``casestore/places/data``)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path


def data_text(name: str) -> str:
    """The text of ``data/<name>``."""
    try:
        resource = files(__package__ or "casestore.places").joinpath("data").joinpath(name)
        return resource.read_text(encoding="utf-8")
    except NotADirectoryError:  # a package resolved as a namespace package (stale install)
        return (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")


def data_path(name: str) -> Path:
    """Where ``data/<name>`` is on disk (for change detection, not for reading)."""
    return Path(__file__).parent / "data" / name


@cache
def places_json() -> dict:
    """``data/places.json``: aliases, names that need a marker, provincial halls."""
    return json.loads(data_text("places.json"))
