"""Marks benchmark: how long 2,000 findings take to render, on the check and on the page.

    .venv/bin/python bench/marks_bench.py [--findings 2000] [--rounds 5]

In one process, on a scratch SQLite database:
- cut: `merged_segments` (the exercise report) and `segments` (the review screen, findings plus
  trainer comments) over a draft with one finding per word;
- check: the report partial the check returns as `html`, rendered from the full report;
- page: the statement page GET for a draft whose latest version stores that report (as kept: capped),
  and the same page with the report stored whole, to show the cutter alone is fast enough;
- review: the trainer's review screen for a submitted version with that report (as kept) and 100 comments.
Target: every figure under 200 ms. Prints the median of the rounds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ["lazy", "hostile", "resistant", "uncooperative", "manipulative", "neglectful"]
PASSWORD = "marks bench password"


def heavy_report(findings: int) -> tuple[str, dict]:
    """Return a draft of judgmental words and a grader-shaped report with one finding per word."""
    text, items = "", []
    for index in range(findings):
        word = WORDS[index % len(WORDS)]
        start = len(text)
        text += word + " "
        items.append({"rule": "judgment.character", "category": "judgmental", "severity": "warning", "start": start,
                      "end": start + len(word), "text": word,
                      "message": "A judgement about the person, not what they did.",
                      "suggestion": "Say what the person did, when, and what it meant for the child."})
    report = {"kind": "harm", "verdict": "revise", "grader_version": "bench", "findings": items, "questions": [],
              "components": [{"id": "behaviour", "label": "What the person did", "present": False, "evidence": [],
                              "hint": "Say what happened."}], "metrics": {}}
    return text.strip(), report


def timed(func, rounds: int) -> float:
    """Return the median milliseconds of func over the rounds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from flask import render_template

    from course import create_app
    from course.auth.services import create_user, enroll
    from course.exercises.grading import mark_segments
    from course.exercises.versions import record
    from course.extensions import db
    from course.marks import Mark, merged_segments, segments
    from course.models import Cohort, Role, Work, WorkVersion
    from course.models.review import InlineComment, Review
    from course.review.marks import finding_marks

    text, report = heavy_report(args.findings)
    folder = tempfile.mkdtemp(prefix="marks-bench-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "GRADER_PRELOAD": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "PASSWORD_HASH_METHOD":
                      "pbkdf2:sha256:1", "SESSION_COOKIE_SECURE": False, "GRADE_MAX_CHARS": 20000})
    with app.app_context():
        db.create_all()
        trainer = create_user("t@example.org", "Bench Trainer", PASSWORD, Role.TRAINER)
        learner = create_user("l@example.org", "Bench Learner", PASSWORD, Role.LEARNER)
        cohort = Cohort(name="Bench", join_code="BENCH1")
        cohort.trainers.append(trainer)
        db.session.add(cohort)
        db.session.flush()
        enroll(learner, cohort)
        draft = Work(user_id=learner.id, vignette_id="hill-family", kind="harm", position=1, draft_text=text,
                     revision=1)
        whole = Work(user_id=learner.id, vignette_id="hill-family", kind="danger", position=1, draft_text=text,
                     revision=1)
        sent = Work(user_id=learner.id, vignette_id="nguyen-family", kind="harm", position=1, draft_text=text,
                    revision=1, status="in_review", claimed_by_id=trainer.id)
        db.session.add_all([draft, whole, sent])
        db.session.flush()
        kept = WorkVersion(work_id=draft.id, number=1, text=text, source="check")
        record(kept, report)  # as the app keeps it: capped
        db.session.add_all([kept, WorkVersion(work_id=whole.id, number=1, text=text, source="check", report=report,
                                              verdict="revise")])
        submitted = WorkVersion(work_id=sent.id, number=1, text=text, source="submit")
        record(submitted, report)  # as the app keeps it: capped
        db.session.add(submitted)
        db.session.flush()
        review = Review(work_id=sent.id, version_id=submitted.id, trainer_id=trainer.id)
        db.session.add(review)
        db.session.flush()
        for index in range(0, args.findings, 20):
            finding = report["findings"][index]
            db.session.add(InlineComment(review_id=review.id, author_id=trainer.id, start=finding["start"],
                                         end=finding["end"], quote=finding["text"], body="Say what happened instead."))
        db.session.commit()
        ids = {"sent": sent.id}

    marks = [Mark(f["start"], f["end"], "finding", n, f"finding-{n}", "judgmental")
             for n, f in enumerate(report["findings"], start=1)]
    review_marks = finding_marks(report, text) + [Mark(m.start, m.end, "comment", f"C{i}", f"c{i}", "Trainer comment")
                                                 for i, m in enumerate(marks[::20], start=1)]
    figures = {
        "cut: merged_segments (exercise report)": timed(lambda: merged_segments(text, marks), args.rounds),
        "cut: segments (review, with comments)": timed(lambda: segments(text, review_marks), args.rounds),
    }
    with app.test_request_context():
        app.jinja_env.globals.setdefault("mark_segments", mark_segments)
        from course.exercises.grading import finding_label, question_label

        context = {"report": report, "text": text, "kind": "harm", "grader_error": None, "mark_segments": mark_segments,
                   "finding_label": finding_label, "question_label": question_label}
        figures["check: the report partial, whole report"] = timed(
            lambda: render_template("exercises/_report.html", **context), args.rounds)

    learner_client, trainer_client = app.test_client(), app.test_client()
    learner_client.post("/auth/login", data={"email": "l@example.org", "password": PASSWORD})
    trainer_client.post("/auth/login", data={"email": "t@example.org", "password": PASSWORD})

    def get(client, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    figures["page: statement page, report as kept (capped)"] = timed(
        lambda: get(learner_client, "/exercises/hill-family/write/harm/1"), args.rounds)
    figures["page: statement page, whole report stored"] = timed(
        lambda: get(learner_client, "/exercises/hill-family/write/danger/1"), args.rounds)
    figures["review: review screen, report as kept + 100 comments"] = timed(
        lambda: get(trainer_client, f"/review/{ids['sent']}"), args.rounds)

    print(f"{args.findings:,} findings on a {len(text):,}-character draft; median of {args.rounds} rounds")
    width = max(len(k) for k in figures)
    for label, ms in figures.items():
        print(f"  {label:<{width}}  {ms:8.1f} ms  {'ok' if ms < 200 else 'OVER 200 ms'}")


if __name__ == "__main__":
    main()
