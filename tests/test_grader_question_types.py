"""Question types on sets of single questions written apart from the rules.

sf_question_types.jsonl (160 questions, every type plus "other", a quarter of them yes/no
forms and many unusual wordings) was written without sight of the cue lists and then used to
broaden them, so it is now development data. sf_question_types_holdout.jsonl was written the
same way afterwards and is never read while cues are written: it measures unseen wordings.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from grader import grade
from grader.ruleset import default_ruleset

DATA = Path(__file__).parent / "data"
TYPES = {"exception", "scaling", "coping", "preferred_future", "relationship", "network", "next_step", "other"}


def load_questions(name: str) -> list[dict]:
    """Read a question set, naming the line of any bad row."""
    rows = []
    for n, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        assert set(row) == {"id", "text", "type", "open"}, f"{name}:{n}"
        assert row["type"] in TYPES and isinstance(row["open"], bool), f"{name}:{n}"
        rows.append(row)
    return rows


def measure(rows: list[dict]) -> dict:
    """Type and open/closed accuracy, recall per type, and the misses."""
    good = opened = 0
    per_type: Counter = Counter()
    per_type_good: Counter = Counter()
    misses = []
    for row in rows:
        questions = grade("sf_question", row["text"]).questions
        assert len(questions) == 1, row["id"]
        q = questions[0]
        per_type[row["type"]] += 1
        if q.type == row["type"]:
            good += 1
            per_type_good[row["type"]] += 1
        else:
            misses.append(f"{row['id']}: {row['type']} read as {q.type}: {row['text']}")
        opened += q.open == row["open"]
    return {"type_accuracy": good / len(rows), "open_accuracy": opened / len(rows), "misses": misses,
            "recall": {t: per_type_good[t] / per_type[t] for t in per_type}}


@pytest.fixture(scope="module")
def dev(nlp):
    return measure(load_questions("sf_question_types.jsonl"))


def test_every_type_of_the_rules_is_in_the_sets():
    rule_types = {t for t, _ in default_ruleset().question_types} | {"other"}
    assert rule_types == TYPES
    assert {r["type"] for r in load_questions("sf_question_types.jsonl")} == TYPES


def test_development_set_types(dev):
    assert dev["type_accuracy"] >= 0.93, dev["misses"]
    assert min(dev["recall"].values()) >= 0.85, dev["recall"]


def test_development_set_open_or_closed(dev):
    assert dev["open_accuracy"] >= 0.97, dev["misses"]


@pytest.fixture(scope="module")
def holdout(nlp):
    return measure(load_questions("sf_question_types_holdout.jsonl"))


def test_holdout_set_is_sized_and_covers_every_type():
    rows = load_questions("sf_question_types_holdout.jsonl")
    assert len(rows) >= 120 and {r["type"] for r in rows} == TYPES


def test_holdout_set_types(holdout):
    # Measured 0.825 when written (the cues before this set existed scored 0.66 on it).
    assert holdout["type_accuracy"] >= 0.78, holdout["misses"]


def test_holdout_set_open_or_closed(holdout):
    assert holdout["open_accuracy"] >= 0.95, holdout["misses"]
