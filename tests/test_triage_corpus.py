"""The labelled corpus, its split, the shipped model, and the targets on the test split."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import geothai
import pytest

from bots import corpus
from bots.classify import TOPICS, TYPES
from bots.triage_cli import score
from casestore.vocab import TOPICS as CASE_TOPICS
from casestore.vocab import TYPES as CASE_TYPES

DATA = Path(corpus.__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def examples() -> list[corpus.Example]:
    return corpus.load()


@pytest.fixture(scope="module")
def test_scores() -> dict[str, object]:
    return score([ex.as_json() for ex in corpus.load("test")])


def test_vocabularies_are_the_case_stores() -> None:
    assert set(TOPICS) == CASE_TOPICS
    assert set(TYPES) == CASE_TYPES


def test_at_least_sixty_messages_per_topic(examples: list[corpus.Example]) -> None:
    per_topic = Counter(ex.topic for ex in examples)
    assert set(per_topic) == CASE_TOPICS
    assert min(per_topic.values()) >= 60


def test_every_type_urgent_and_english_are_covered(examples: list[corpus.Example]) -> None:
    assert {ex.type for ex in examples} == CASE_TYPES
    assert min(Counter(ex.type for ex in examples).values()) >= 20
    urgent = [ex for ex in examples if ex.urgent]
    assert len(urgent) >= 50 and len(examples) - len(urgent) >= 500
    english = [ex for ex in examples if re.fullmatch(r"[\x00-\x7f]+", ex.text)]
    assert len(english) >= 40
    assert {ex.topic for ex in english} == CASE_TOPICS


def test_messages_are_unique_and_not_templated(examples: list[corpus.Example]) -> None:
    texts = [ex.text for ex in examples]
    assert len(set(texts)) == len(texts)
    # no template: the first three words of a message are (almost) never repeated
    starts = Counter(" ".join(t.split()[:3]) for t in texts if len(t.split()) >= 5)
    assert starts.most_common(1)[0][1] <= 2


def test_places_in_the_labels_exist(examples: list[corpus.Example]) -> None:
    codes = {f"TH-{p.code}" for p in geothai.provinces()}
    for ex in examples:
        assert ex.province is None or ex.province in codes, ex
        if ex.district:
            assert ex.province, ex
            names = {d.name_th for d in geothai.districts(ex.province[3:])}
            assert ex.district in names, ex


def test_split_is_fixed_and_stratified(examples: list[corpus.Example]) -> None:
    test = [ex for ex in examples if ex.split == "test"]
    assert 0.18 <= len(test) / len(examples) <= 0.22
    per_topic = Counter(ex.topic for ex in test)
    assert set(per_topic) == CASE_TOPICS and min(per_topic.values()) >= 12


def test_shipped_test_file_is_the_test_split() -> None:
    rows = [json.loads(line) for line in (DATA / "test.jsonl").read_text("utf-8").splitlines()]
    assert rows == [ex.as_json() for ex in corpus.load("test")]


def test_shipped_model_matches_the_vocabularies() -> None:
    model = json.loads((DATA / "model.json").read_text("utf-8"))
    assert tuple(model["topic"]["classes"]) == TOPICS
    assert tuple(model["type"]["classes"]) == TYPES
    assert len(model["words"]) > 1000
    for key in ("topic", "type"):
        width = len(model[key]["classes"])
        for row in model[key]["weights"].values():
            assert all(0 <= i < width for i, _ in row)


# -- targets on the test split (the numbers) ----------------------------------------


def test_province_accuracy(test_scores: dict) -> None:
    assert test_scores["province"]["accuracy"] >= 0.95


def test_topic_accuracy(test_scores: dict) -> None:
    assert test_scores["topic"]["accuracy"] >= 0.85


def test_type_and_district_are_reported(test_scores: dict) -> None:
    assert test_scores["type"]["accuracy"] >= 0.75
    assert test_scores["district"]["accuracy"] >= 0.9


def test_no_emergency_is_missed_and_few_false_alarms(test_scores: dict) -> None:
    assert test_scores["urgent_recall"] == 1.0
    assert test_scores["urgent_precision"] >= 0.8


def test_no_id_or_phone_survives_masking(test_scores: dict) -> None:
    assert test_scores["unmasked_numbers"] == 0


def test_whole_corpus_urgent_recall() -> None:
    whole = score([ex.as_json() for ex in corpus.load()])
    assert whole["urgent_recall"] == 1.0
    assert whole["province"]["accuracy"] >= 0.98
