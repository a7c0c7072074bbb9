"""Per-version storage: every checked version keeps a summary; the full report stays only on submitted
versions and the latest one; sizes are capped; the history, version pages and analytics read summaries;
the migration summarises existing rows."""
from __future__ import annotations

import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from course.auth.services import create_user
from course.exercises.versions import MAX_STORED_FINDINGS, capped, summarise
from course.extensions import db
from course.models import Work, WorkVersion
from grader.vocabulary import category_label
from tests.conftest import make_app

HARM = "/exercises/hill-family/write/harm/1"
DRAFTS = ("Marcus neglected Jayden.", "Marcus hit Jayden on Saturday.", "Marcus grabbed Jayden (7) on Saturday night.")


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner", email="writer@example.org")
    auth.login("writer@example.org")
    return user_id


def _versions(app, user_id) -> list[WorkVersion]:
    """Return the learner's harm versions, detached, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(WorkVersion).join(Work).where(Work.user_id == user_id)
                                  .order_by(WorkVersion.number)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _check(client, draft: str, revision: int) -> int:
    """Check a draft and return the new revision."""
    response = client.post(HARM + "/check", json={"text": draft, "revision": revision})
    assert response.status_code == 200
    return response.get_json()["revision"]


def test_only_the_latest_check_keeps_its_full_report(app, client, learner, nlp):
    revision = 0
    for draft in DRAFTS:
        revision = _check(client, draft, revision)
    versions = _versions(app, learner)
    assert [v.report is not None for v in versions] == [False, False, True]
    assert all(v.summary for v in versions)
    first = versions[0].summary
    assert first["verdict"] == "revise" and first["categories"].get("vague_label") == 1
    assert first["examples"]["vague_label"] == ["neglected"]
    assert first["components"]["missing"] and first["grader_version"]
    assert set(first["components"]["missing"]) | set(first["components"]["present"]) == set(first["component_labels"])
    # The history, an older version's page and its diff work from the summary alone.
    history = client.get(HARM + "/history?a=1&b=3").get_data(as_text=True)
    assert "Version 1" in history and "Needed work" in history
    page = client.get(HARM + "/versions/1").get_data(as_text=True)
    assert f"{category_label('vague_label')}: 1" in page and "Only this summary is kept" in page
    assert "Missing:" in page
    # The learner's own download carries the summary of every version.
    mine = client.get("/review/my-work.json").get_json()
    kept = mine["work"][0]["versions"]
    assert [v["grader_report"] is not None for v in kept] == [False, False, True]
    assert all(v["grader_summary"]["verdict"] for v in kept)


def test_submitted_versions_keep_their_full_report(app, client, learner, nlp):
    revision = _check(client, DRAFTS[2], 0)
    with app.app_context():
        work = db.session.scalar(select(Work).where(Work.user_id == learner))
        version = db.session.scalar(select(WorkVersion).where(WorkVersion.work_id == work.id))
        version.source = "submit"  # as a submission would leave it
        db.session.commit()
    _check(client, DRAFTS[0], revision)
    _check(client, DRAFTS[1], revision + 1)
    versions = _versions(app, learner)
    assert [(v.source, v.report is not None) for v in versions] == [("submit", True), ("check", False),
                                                                    ("check", True)]


def _finding(n: int) -> dict:
    return {"start": n, "end": n + 1, "category": "judgmental", "severity": "warning", "text": "lazy",
            "message": "x" * 5000, "suggestion": "Say what the person did."}


def test_reports_are_capped_and_the_page_says_so():
    report = {"kind": "harm", "verdict": "revise", "grader_version": "1", "components": [],
              "findings": [_finding(n) for n in range(900)], "questions": []}
    stored = capped(report)
    assert len(stored["findings"]) == MAX_STORED_FINDINGS and stored["findings_total"] == 900
    assert max(len(f["message"]) for f in stored["findings"]) <= 600
    assert len(json.dumps(stored)) < 200_000
    summary = summarise(report)
    assert summary["findings"] == 900 and summary["categories"] == {"judgmental": 900}
    assert len(json.dumps(summary)) < 2_000


def test_summary_of_nothing_is_nothing():
    assert summarise(None) is None and summarise({}) is None


def test_migration_summarises_old_rows_and_keeps_reports_where_read(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    report = {"kind": "harm", "verdict": "revise", "grader_version": "0.9", "questions": [],
              "components": [{"id": "behaviour", "label": "What the person did", "present": False}],
              "findings": [_finding(n) for n in range(250)]}
    with app.app_context():
        db.drop_all()
        upgrade(revision="20261204_harden_learner_aliases")
        user = create_user("a@example.org", "A", "a long enough password")  # users and works are unchanged
        db.session.flush()
        db.session.add(Work(user_id=user.id, vignette_id="hill-family", kind="harm", position=1, draft_text="x",
                            revision=4))
        db.session.commit()
        work_id = db.session.scalar(select(Work.id))
        db.session.remove()
        with db.engine.begin() as connection:
            for number, source in ((1, "check"), (2, "submit"), (3, "check"), (4, "check")):
                connection.execute(text(
                    "INSERT INTO work_versions (work_id, number, text, source, report, verdict, no_harm, created_at) "
                    "VALUES (:w, :n, 'x', :s, :r, 'revise', 0, '2027-01-01')"),
                    {"w": work_id, "n": number, "s": source, "r": json.dumps(report)})
        upgrade()
        rows = db.session.scalars(select(WorkVersion).order_by(WorkVersion.number)).all()
        assert [r.report is not None for r in rows] == [False, True, False, True]
        assert all(r.summary["categories"] == {"judgmental": 250} for r in rows)
        assert all(r.summary["components"]["missing"] == ["behaviour"] for r in rows)
        assert rows[1].report["findings_total"] == 250 and len(rows[1].report["findings"]) == MAX_STORED_FINDINGS
