#!/usr/bin/env python3
"""Train the triage models from the project's corpus and write bots/data/model.json.

    .venv/bin/pip install -e '.[train]'      # scikit-learn and numpy, for training only
    .venv/bin/python scripts/train_triage.py  # trains on the train split, reports the test split

Also writes ``bots/data/test.jsonl`` (the test split in the format of
``damrongdham triage --eval``). Deterministic: the same corpus gives the same weights."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bots import corpus  # noqa: E402
from bots.classify import TOPICS, TYPES, Matcher, features  # noqa: E402
from bots.normalise import for_features, normalise  # noqa: E402
from bots.tokenise import backend, tokenize  # noqa: E402
from kernel.mask import mask  # noqa: E402

DATA = ROOT / "bots" / "data"
PRUNE = 0.02  # weights smaller than this are dropped from the JSON
FREQUENT_WORDS = 5000  # the commonest Thai words (TNC), to segment unseen text sensibly
_NOT_A_WORD = re.compile(r"^[\W_\d]+$")


def vocabulary(texts: list[str]) -> set[str]:
    """The words the run-time matcher knows: those of the training messages (segmented by
    nlpo3) and the commonest words of the Thai National Corpus (shipped by PyThaiNLP)."""
    if backend() != "nlpo3":
        raise SystemExit("training needs nlpo3 and pythainlp: pip install -e '.[train]'")
    words: set[str] = set()
    for text in texts:
        for tok in tokenize(for_features(mask(normalise(text)))):
            tok = tok.strip()
            if tok and not _NOT_A_WORD.match(tok) and not tok.startswith("["):
                words.add(tok)
    from importlib.util import find_spec

    spec = find_spec("pythainlp")
    assert spec and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "corpus" / "tnc_freq.txt"
    ranked = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition("\t")
        if count.isdigit() and not _NOT_A_WORD.match(word):
            ranked.append((-int(count), word))
    words.update(w for _, w in sorted(ranked)[:FREQUENT_WORDS])
    return words


CUE_SCALE = 2.0  # topic-cue features ("c:", "cc:") are regularised less than single words


def _scale(name: str) -> float:
    return CUE_SCALE if name.startswith(("c:", "cc:")) else 1.0


def _fit(rows: list[tuple[str, ...]], labels: list[str], classes: tuple[str, ...], c: float):
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    vocab: dict[str, int] = {}
    for names in rows:
        for n in names:
            vocab.setdefault(n, len(vocab))
    indptr, indices, values = [0], [], []
    for names in rows:
        cols = sorted({vocab[n] for n in names})
        indices.extend(cols)
        indptr.append(len(indices))
    scale = np.array([_scale(name) for name in sorted(vocab, key=vocab.__getitem__)])
    values = scale[indices]
    x = csr_matrix((values, indices, indptr), shape=(len(rows), len(vocab)))
    y = np.array([classes.index(label) for label in labels])
    present = sorted(set(y.tolist()))
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit(x, y)
    coef = np.zeros((len(classes), len(vocab)))
    bias = np.full(len(classes), -20.0)
    coef[present] = model.coef_ if len(present) > 2 else np.vstack([-model.coef_, model.coef_])
    bias[present] = (
        model.intercept_ if len(present) > 2 else [-model.intercept_[0], model.intercept_[0]]
    )
    coef = coef * scale  # predictions sum weights of present features: fold the scale in
    weights: dict[str, list[list[float]]] = {}
    for name, j in sorted(vocab.items()):
        row = [
            [i, round(float(coef[i, j]), 4)]
            for i in range(len(classes))
            if abs(coef[i, j]) >= PRUNE
        ]
        if row:
            weights[name] = row
    return {
        "classes": list(classes),
        "bias": [round(float(b), 4) for b in bias],
        "weights": weights,
    }


def _predict(model: dict, names: tuple[str, ...]) -> str:
    s = list(model["bias"])
    hit = False
    for n in names:
        for i, w in model["weights"].get(n, ()):
            s[i] += w
            hit = True
    if not hit:
        return "other" if "other" in model["classes"] else "complaint"
    return model["classes"][max(range(len(s)), key=s.__getitem__)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c-topic", type=float, default=1.0, help="inverse regularisation (topic)")
    parser.add_argument("--c-type", type=float, default=1.0, help="inverse regularisation (type)")
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    args = parser.parse_args(argv)

    train = corpus.load("train")
    test = corpus.load("test")
    words = vocabulary([ex.text for ex in train])
    matcher = Matcher(words)
    f_train = [features(mask(normalise(ex.text)), matcher) for ex in train]
    f_test = [features(mask(normalise(ex.text)), matcher) for ex in test]
    topic = _fit([f.names for f in f_train], [ex.topic for ex in train], TOPICS, args.c_topic)
    type_ = _fit([f.type_names for f in f_train], [ex.type for ex in train], TYPES, args.c_type)
    for key, model in (("topic", topic), ("type", type_)):
        attr = "names" if key == "topic" else "type_names"
        ok = sum(
            _predict(model, getattr(f, attr)) == getattr(ex, key)
            for f, ex in zip(f_test, test, strict=True)
        )
        print(
            f"{key}: {ok}/{len(test)} = {ok / len(test):.1%} on the test split "
            f"({len(model['weights'])} features kept)"
        )
    if args.dry_run:
        return 0
    out = {
        "about": "Multinomial logistic regression, written by scripts/train_triage.py.",
        "trained_on": f"{len(train)} messages (train split of bots/data/corpus)",
        "topic": topic,
        "type": type_,
        "words": sorted(words),
    }
    (DATA / "model.json").write_text(
        json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
        encoding="utf-8",
    )
    with open(DATA / "test.jsonl", "w", encoding="utf-8") as f:
        for ex in test:
            f.write(json.dumps(ex.as_json(), ensure_ascii=False) + "\n")
    print(f"wrote {DATA / 'model.json'} and {DATA / 'test.jsonl'} ({len(test)} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
