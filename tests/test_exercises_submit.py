"""Submitting the set: all drafted statements at once, locked after, privacy blocks, double submits and stale tabs."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from course.events import work_submitted
from course.extensions import db
from course.models import Work, WorkStatus, WorkVersion
from grader.vocabulary import category_label

BASE = "/exercises/hill-family"
HARM_TEXT = ("On Saturday evening Marcus Hill grabbed Jayden (7) by the arm and Jayden's head hit the wall, "
             "leaving four bruises on his arm.")
DANGER_TEXT = ("Dana and Grandma Rose are worried that when Marcus has been drinking, he may grab Jayden (7) again, "
               "and Jayden could break a bone.")


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    from grader import load_pipeline

    return load_pipeline()


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner")
    auth.login(factory.email(user_id))
    return user_id


def _save(client, slot: str, text: str, revision: int = 0) -> int:
    response = client.post(f"{BASE}/write/{slot}/autosave", json={"text": text, "revision": revision})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["revision"]


def _revisions(client) -> dict:
    """Read the rev_<id> fields from the submit page, as a browser would send them."""
    page = client.get(f"{BASE}/submit").get_data(as_text=True)
    return dict(re.findall(r'name="(rev_\d+)" value="(\d+)"', page))


def _works(app, user_id):
    with app.app_context():
        rows = db.session.scalars(select(Work).where(Work.user_id == user_id).order_by(Work.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _version_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(WorkVersion)).all())


def _set_status(app, user_id, kind, status: WorkStatus):
    with app.app_context():
        work = db.session.scalar(select(Work).where(Work.user_id == user_id, Work.kind == kind))
        work.status = status.value
        db.session.commit()


def test_submit_sends_every_drafted_statement_and_locks_them(client, learner, app, nlp):
    _save(client, "harm/1", HARM_TEXT)
    _save(client, "danger/1", DANGER_TEXT)
    _save(client, "safety-goal/1", "")  # an empty statement is not sent
    received = []

    def listener(sender, **kwargs):
        received.append((kwargs["user"].id, kwargs["work"].kind, kwargs["version"].source))

    work_submitted.connect(listener)
    try:
        response = client.post(f"{BASE}/submit", data=_revisions(client))
    finally:
        work_submitted.disconnect(listener)
    assert response.status_code == 302
    assert "Submitted 2 statements" in client.get(response.headers["Location"]).get_data(as_text=True)
    statuses = {(w.kind, w.position): w.status for w in _works(app, learner)}
    assert statuses == {("harm", 1): "submitted", ("danger", 1): "submitted", ("safety_goal", 1): "draft"}
    assert sorted(received) == [(learner, "danger", "submit"), (learner, "harm", "submit")]
    with app.app_context():
        versions = db.session.scalars(select(WorkVersion)).all()
        assert sorted(v.source for v in versions) == ["submit", "submit"]
        assert all(v.report and v.report["kind"] in ("harm", "danger") for v in versions)
        assert all(w.submitted_at for w in db.session.scalars(select(Work).where(Work.status == "submitted")))
    # Locked: editing is refused with a clear message, and the page shows it read-only.
    locked = client.post(f"{BASE}/write/harm/1/autosave", json={"text": "changed", "revision": 2})
    assert locked.status_code == 409 and locked.get_json()["code"] == "locked"
    assert "locked" in locked.get_json()["error"]
    page = client.get(f"{BASE}/write/harm/1").get_data(as_text=True)
    assert "readonly" in page and "Submitted, waiting for review" in page
    assert '<svg class="icon icon--waiting"' in page and "⧗" not in page  # an icon every device draws


def test_double_submit_gives_one_result_and_no_duplicate_versions(client, learner, app, nlp):
    _save(client, "harm/1", HARM_TEXT)
    form = _revisions(client)
    first = client.post(f"{BASE}/submit", data=form)
    count = _version_count(app)
    second = client.post(f"{BASE}/submit", data=form)
    assert first.status_code == second.status_code == 302
    assert "already submitted" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert _version_count(app) == count == 1
    assert [w.status for w in _works(app, learner)] == ["submitted"]


def test_stale_tab_cannot_submit_text_it_has_not_seen(client, learner, app, nlp):
    rev = _save(client, "harm/1", "First words about Marcus and Jayden.")
    form = _revisions(client)  # the submit page opened in tab A
    _save(client, "harm/1", HARM_TEXT, rev)  # tab B keeps writing
    response = client.post(f"{BASE}/submit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed in another tab or window" in page and HARM_TEXT.replace("'", "&#39;") in page
    assert [w.status for w in _works(app, learner)] == ["draft"]
    assert _version_count(app) == 0
    assert client.post(f"{BASE}/submit", data=_revisions(client)).status_code == 302


@pytest.mark.parametrize("private", ["Call Tanya at (555) 123-4567 first.", "Email tanya.hill@example.com today."])
def test_privacy_finding_blocks_the_whole_submission(client, learner, app, nlp, private):
    _save(client, "harm/1", HARM_TEXT)
    _save(client, "danger/1", DANGER_TEXT + " " + private)
    response = client.post(f"{BASE}/submit", data=_revisions(client))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was submitted" in page and "must not contain real case details" in page
    assert "Danger Statement 1:" in page
    assert {w.status for w in _works(app, learner)} == {"draft"}
    assert _version_count(app) == 0


def test_privacy_shows_while_drafting(client, learner, nlp):
    body = client.post(
        f"{BASE}/write/harm/1/check", json={"text": HARM_TEXT + " Call 555-123-4567.", "revision": 0}
    ).get_json()
    assert category_label("privacy") in body["html"]


def test_nothing_to_submit(client, learner):
    response = client.post(f"{BASE}/submit", data={})
    assert response.status_code == 302
    assert "nothing to submit" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_returned_work_is_revised_into_a_new_version(client, learner, app, nlp):
    _save(client, "harm/1", HARM_TEXT)
    client.post(f"{BASE}/submit", data=_revisions(client))
    _set_status(app, learner, "harm", WorkStatus.RETURNED)
    page = client.get(f"{BASE}/submit").get_data(as_text=True)
    assert "Returned for revision: edit it to submit it again." in page and "rev_" not in page
    work = _works(app, learner)[0]
    revised = HARM_TEXT + " Since then he has flinched when adults reach toward him."
    body = client.post(f"{BASE}/write/harm/1/check", json={"text": revised, "revision": work.revision}).get_json()
    assert body["status"] == "draft" and body["reopened"] is True
    assert client.post(f"{BASE}/submit", data=_revisions(client)).status_code == 302
    with app.app_context():
        versions = db.session.scalars(select(WorkVersion).order_by(WorkVersion.number)).all()
        assert [(v.number, v.source) for v in versions] == [(1, "submit"), (2, "check"), (3, "submit")]
        assert versions[0].text == HARM_TEXT and versions[2].text == revised  # the first submission is kept


def test_first_edit_of_returned_work_reopens_it(client, learner, app):
    rev = _save(client, "harm/1", HARM_TEXT)
    _set_status(app, learner, "harm", WorkStatus.RETURNED)
    body = client.post(f"{BASE}/write/harm/1/autosave", json={"text": HARM_TEXT + " More.", "revision": rev}).get_json()
    assert body["reopened"] is True and body["status"] == "draft" and body["editable"] is True


@pytest.mark.parametrize("status", [WorkStatus.IN_REVIEW, WorkStatus.ACCEPTED, WorkStatus.SUBMITTED])
def test_work_past_submission_cannot_be_edited_or_resubmitted(client, learner, app, status):
    rev = _save(client, "harm/1", HARM_TEXT)
    _set_status(app, learner, "harm", status)
    assert client.post(f"{BASE}/write/harm/1/autosave", json={"text": "new", "revision": rev}).status_code == 409
    plain = client.post(f"{BASE}/write/harm/1", data={"text": "new", "revision": str(rev), "save": "Save draft"})
    assert plain.status_code == 409 and "locked" in plain.get_data(as_text=True)
    response = client.post(f"{BASE}/submit", data={f"rev_{_works(app, learner)[0].id}": rev})
    assert response.status_code == 302
    assert _works(app, learner)[0].status == status.value


def test_exemplars_appear_only_after_that_kind_is_accepted(client, learner, app):
    from course.vignettes import get_vignette

    with app.app_context():
        exemplar = get_vignette("hill-family").exemplars["harm"][0]
    marker = exemplar[:60].replace("'", "&#39;")
    _save(client, "harm/1", HARM_TEXT)
    assert marker not in client.get(f"{BASE}/write/harm/1").get_data(as_text=True)
    _set_status(app, learner, "harm", WorkStatus.SUBMITTED)
    assert marker not in client.get(f"{BASE}/write/harm/1").get_data(as_text=True)
    _set_status(app, learner, "harm", WorkStatus.ACCEPTED)
    page = client.get(f"{BASE}/write/harm/1").get_data(as_text=True)
    assert "Trainer examples" in page and marker in page
    danger_exemplar = get_vignette("hill-family", app.config["VIGNETTES_DIR"]).exemplars["danger"][0][:50]
    assert danger_exemplar not in client.get(f"{BASE}/write/danger/1").get_data(as_text=True)


def test_statement_page_leaves_room_for_trainer_feedback():
    from pathlib import Path

    template = Path(__file__).resolve().parent.parent / "course/templates/exercises/statement.html"
    assert '{% include "review/_learner_feedback.html" ignore missing with context %}' in template.read_text()
