"""A second development set: 150 harm, danger and safety-goal drafts written apart from the rules.

tests/data/grader_fresh.jsonl was written from the component and flag definitions alone, with
new families and no sight of the rules or the other corpora. The grader first scored verdicts
0.85, components 0.93 and flags 0.84 / 0.85 on it; the general fixes it prompted (pronoun
binding, owned objects, impact wording, service and negation patterns, ages the tokenizer took
for smileys) lifted it to 0.94, 0.96 and 0.99 / 0.97, and the independent hold-out set from
verdict 0.94 to 0.95. A few labels were corrected where they broke
the set's own definitions (agentless "could be hurt" is passive; ER is not on the primer's
acronym list).
"""

from __future__ import annotations

import pytest

from grader.evaluate import load_corpus
from tests.grader_fixtures import DATA, assert_floors, evaluate_set


@pytest.fixture(scope="module")
def result(nlp):
    return evaluate_set("grader_fresh.jsonl")


def test_fresh_set_is_sized_and_balanced():
    rows = load_corpus(DATA / "grader_fresh.jsonl")
    kinds = [r["kind"] for r in rows]
    assert len(rows) == 150 and all(kinds.count(k) == 50 for k in ("harm", "danger", "safety_goal"))


def test_fresh_floors(result):
    assert_floors(result, verdict=0.90, components=0.93, flags=0.95)
