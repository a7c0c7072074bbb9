"""The third development set (tests/data/grader_dev3.jsonl): new families, typed the way learners type.

Written and labelled by the primer before the grader was tuned on it; the first run scored
verdict 0.74 (kappa 0.48), components 0.883, flags 1.0 / 0.93. Also: eval's gaming and
false-flag figures, on rows made here.
"""

from __future__ import annotations

import json

import pytest

from grader.evaluate import evaluate, format_text, load_corpus
from tests.grader_fixtures import DATA, assert_floors, evaluate_set


@pytest.fixture(scope="module")
def result(nlp):
    return evaluate_set("grader_dev3.jsonl")


def test_dev3_is_sized_and_mixed():
    rows = load_corpus(DATA / "grader_dev3.jsonl")
    kinds = {r["kind"] for r in rows}
    assert len(rows) >= 50 and {"harm", "danger", "safety_goal", "plain_language"} <= kinds
    assert any(r.get("danger") for r in rows), "some goals carry the learner's own danger statement"


def test_dev3_floors(result):
    assert_floors(result, verdict=0.9, components=0.94, flags=0.9)
    assert result["false_flags_per_clean_draft"] <= 0.05


def test_eval_prints_gaming_and_false_flag_figures(nlp, tmp_path):
    rows = [
        {"id": "g1", "kind": "harm", "gaming": "bad", "text": "Mom neglected the kids."},
        {"id": "g2", "kind": "danger", "gaming": "bad", "text": "Risk of future DV."},
        {
            "id": "g3",
            "kind": "safety_goal",
            "gaming": "excellent",
            "text": "The social worker and Aunt June need to see Dad take Kayla (11) to June's house "
            "whenever he starts "
            "drinking, every weekend for the next six months, so that Kayla feels safe at home.",
        },
        {
            "id": "c1",
            "kind": "harm",
            "verdict": "ready",
            "flags": [],
            "components": {"caregiver_action": True, "child": True, "impact": True, "when": True},
            "text": "On Monday Dad hit Kai (6) with a belt and left welts on his legs.",
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = evaluate(load_corpus(path))
    assert result["gaming"]["bad"] == 2 and result["gaming"]["bad_passed"] == 0
    assert result["gaming"]["excellent"] == 1 and result["gaming"]["excellent_sent_back"] == 0
    assert result["clean_drafts"] == 1 and result["false_flags_per_clean_draft"] == 0.0
    text = format_text(result)
    assert "0 of 2 bad drafts pass" in text and "0 of 1 excellent drafts are sent back" in text
    assert "false flags per clean draft: 0.0" in text
