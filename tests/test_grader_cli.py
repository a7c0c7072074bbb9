"""The grader command line: check, batch, eval, bench helpers."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from grader.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(argv, stdin_text="", monkeypatch=None):
    """Run the CLI in process; returns (status, stdout)."""
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin_text))
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_check_text_marks_words_and_lists_checklist(nlp, monkeypatch, tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("Mother neglected Jayden. The CFT met.\n", encoding="utf-8")
    status, out = run(["check", "harm", str(path), "--vignettes", str(REPO / "vignettes"), "--vignette", "hill-family"])
    assert status == 0
    assert "[[neglected]]¹" in out and "[[CFT]]²" in out
    assert "✗ Impact on the child" in out and "✓ Which child" in out
    assert "Try:" in out and out.startswith("harm: REVISE")


def test_check_json_from_stdin(nlp, monkeypatch):
    status, out = run(["check", "sf_question", "-", "--format", "json"], "Do you drink?\nWho helps you?\n", monkeypatch)
    data = json.loads(out)
    assert status == 0 and data["kind"] == "sf_question" and len(data["questions"]) == 2
    assert data["findings"][0]["category"] == "closed_question"


def test_check_bad_vignette_exits_nonzero(nlp, monkeypatch, capsys):
    status, _ = run(["check", "harm", "-", "--vignette", "nobody"], "Marcus hit Jayden.", monkeypatch)
    assert status == 2 and "Unknown vignette" in capsys.readouterr().err


def test_batch_keeps_order_and_reports_bad_rows(nlp, monkeypatch):
    lines = [
        json.dumps({"id": "a", "kind": "harm", "text": "Marcus neglected Jayden."}),
        "{not json",
        json.dumps({"id": "c", "kind": "poem", "text": "x"}),
        json.dumps({"id": "d", "kind": "danger", "text": ""}),
        json.dumps({"id": "e", "kind": "danger", "text": "Marcus may hit Jayden.", "vignette": "no-such"}),
        json.dumps({"id": "f", "kind": "sf_question", "text": "Why did you do it?", "vignette": "hill-family"}),
    ]
    status, out = run(["batch", "-"], "\n".join(lines) + "\n", monkeypatch)
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and len(rows) == 6
    assert [r.get("id") for r in rows] == ["a", None, "c", "d", "e", "f"]
    assert "report" in rows[0] and rows[0]["report"]["findings"][0]["text"] == "neglected"
    assert "not valid JSON" in rows[1]["error"]
    assert "Unknown kind" in rows[2]["error"] and "empty" in rows[3]["error"] and "Unknown vignette" in rows[4]["error"]
    assert rows[5]["report"]["findings"][0]["category"] == "why_question"


def test_eval_on_a_small_corpus(nlp, tmp_path):
    corpus = tmp_path / "c.jsonl"
    rows = [
        {
            "id": "h1",
            "kind": "harm",
            "text": "Marcus neglected Jayden.",
            "verdict": "revise",
            "components": {"caregiver_action": False, "child": True, "impact": False, "when": False},
            "flags": [{"category": "vague_label", "text": "neglected"}],
            "questions": [],
        },
        {
            "id": "q1",
            "kind": "sf_question",
            "text": "Do you drink?\nWho helps you?",
            "verdict": "revise",
            "components": {},
            "flags": [{"category": "closed_question", "text": "Do you drink?"}],
            "questions": [{"type": "other", "open": False}, {"type": "network", "open": True}],
        },
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    status, out = run(["eval", str(corpus)])
    assert status == 0 and "verdict accuracy: 1.0" in out and "vague_label" in out
    status, out = run(["eval", str(corpus), "--format", "json"])
    data = json.loads(out)
    assert data["flags"]["vague_label"] == {"precision": 1.0, "recall": 1.0, "predicted": 1, "expected": 1}
    assert data["question_type_accuracy"] == 1.0 and data["component_accuracy"] == 1.0


def test_module_entry_point_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "check", "danger", "--format", "json"],
        input="We are worried that Marcus may hit Jayden.",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "danger"
