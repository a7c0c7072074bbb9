"""How far two trainers agree on the same drafts, scored with the grader's own measures.

    .venv/bin/python bench/label_agreement.py tests/data/grader_holdout7.jsonl \
        tests/data/grader_holdout7_second_labels.jsonl

The first file's labels are taken as the reference and the second labeller's as the "reports", only
for the ids both files hold; then the grader is scored against each labeller on those rows. The
human-to-human figures are the ceiling a grader can be expected to reach against any one trainer.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.evaluate import evaluate, grade_rows, load_corpus, locate_flags  # noqa: E402
from grader.vignette_files import RosterFolder  # noqa: E402


@dataclass
class Part:
    """A labelled component, shaped like the grader's."""

    id: str
    present: bool


@dataclass
class Finding:
    """A labelled flag, shaped like the grader's."""

    category: str
    start: int
    end: int
    text: str


@dataclass
class Question:
    """A labelled question, shaped like the grader's."""

    type: str
    open: bool


@dataclass
class Labels:
    """One draft as a second trainer labelled it, shaped like a grader report."""

    verdict: str
    components: list[Part] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def as_report(row: dict) -> Labels:
    """Return a labelled row as a report-shaped object."""
    return Labels(
        row["verdict"],
        [Part(cid, bool(present)) for cid, present in (row.get("components") or {}).items()],
        [Finding(c, s, e, t) for c, s, e, t in locate_flags(row["text"], row.get("flags") or []) if s >= 0],
        [Question(q["type"], bool(q["open"])) for q in row.get("questions") or []],
    )


def line(name: str, result: dict) -> str:
    """One row of figures."""
    return (f"{name:<28} verdict {result['verdict_accuracy']:.3f} (kappa {result['verdict_kappa']:.2f})  "
            f"components {result['component_accuracy']:.3f}  flags P {result['flag_precision']:.2f} "
            f"R {result['flag_recall']:.2f}  question type {result['question_type_accuracy']:.3f}")


def main(first: str, second: str) -> None:
    """Print trainer-to-trainer and grader-to-each-trainer agreement on the rows both files label."""
    reference = {r["id"]: r for r in load_corpus(first)}
    other = [r for r in load_corpus(second) if r["id"] in reference]
    rows = [reference[r["id"]] for r in other]
    folder = Path(__file__).resolve().parent.parent / "vignettes"
    reports = grade_rows(rows, RosterFolder(folder) if folder.is_dir() else None)
    print(f"{len(rows)} drafts labelled by both")
    print(line("second trainer vs first", evaluate(rows, [as_report(r) for r in other])))
    print(line("grader vs first trainer", evaluate(rows, reports)))
    print(line("grader vs second trainer", evaluate(other, reports)))


if __name__ == "__main__":
    main(*sys.argv[1:3])
