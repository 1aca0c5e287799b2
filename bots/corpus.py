"""The project's labelled corpus (``bots/data/corpus/<topic>.tsv``) and its split.

Each file holds one topic, named by the part of its name before the first dot
(``land.tsv``, ``land.field.tsv``); each line ``type, urgency, province (ISO or -), district
(geothai name or -), text``, tab-separated; ``#`` starts a comment. Urgency is ``1``
(emergency: danger to life or a crime happening now), ``h`` (hazard: could hurt someone soon)
or ``0`` (normal). The split is fixed and
stratified by topic: every fifth message of a file (the 5th, 10th, …) is the **test** split,
the rest is **train**. Nothing is random, so the numbers are reproducible."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib.resources import files
from pathlib import Path

from casestore.vocab import TOPICS, TYPES

TEST_EVERY = 5
URGENCY_CODES = {"1": "emergency", "h": "hazard", "0": "normal"}


@dataclass(frozen=True)
class Example:
    text: str
    type: str
    topic: str
    urgent: bool
    """An emergency (``urgency == "emergency"``)."""
    province: str | None
    district: str | None
    split: str  # "train" or "test"
    urgency: str = "normal"
    """``emergency``, ``hazard`` or ``normal``."""

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        out.pop("split")
        return out


def corpus_dir() -> Path:
    return Path(str(files("bots").joinpath("data/corpus")))


def load(split: str | None = None) -> list[Example]:
    """All examples, or those of one split ("train", "test")."""
    out: list[Example] = []
    for path in sorted(corpus_dir().glob("*.tsv")):
        topic = path.name.split(".", 1)[0]
        if topic not in TOPICS:
            raise ValueError(f"{path}: unknown topic {topic!r}")
        n = 0
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 5:
                raise ValueError(f"{path}:{lineno}: expected 5 tab-separated fields")
            type_, urgent, province, district, text = parts
            if type_ not in TYPES or urgent not in URGENCY_CODES:
                raise ValueError(f"{path}:{lineno}: bad type or urgency field")
            n += 1
            ex = Example(
                text=text,
                type=type_,
                topic=topic,
                urgent=urgent == "1",
                urgency=URGENCY_CODES[urgent],
                province=None if province == "-" else province,
                district=None if district == "-" else district,
                split="test" if n % TEST_EVERY == 0 else "train",
            )
            if split is None or ex.split == split:
                out.append(ex)
    return out


def iter_jsonl(path: str | Path) -> Iterator[dict[str, object]]:
    """Rows of a labelled JSONL file (one object per line, blank lines skipped)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
