"""The review queue, claims, the review screen, comments, the comment bank and every decision path."""
from __future__ import annotations

import copy
import threading
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import select, update

from course.database import utcnow
from course.events import work_accepted
from course.extensions import db
from course.grading import roster_for
from course.models import User, Work, WorkStatus, WorkVersion
from course.models.review import CommentBankEntry, GraderFeedback, InlineComment, Review
from course.review.services import ReviewError, claim
from course.vignettes import get_vignette
from grader import grade
from grader.vocabulary import category_label

HARM_TEXT = "Marcus neglected Jayden on Saturday, and Jayden had bruises on his arm."
REVISED_TEXT = "On Saturday evening Marcus grabbed Jayden (7) by the arm, and Jayden had four bruises on his arm."
VIGNETTES = Path(__file__).resolve().parent.parent / "vignettes"


@cache
def _graded(text: str, kind: str, vignette: str) -> dict:
    """The real grader's report for a text, once per text (the grader is deterministic)."""
    return grade(kind, text, roster=roster_for(get_vignette(vignette, str(VIGNETTES)))).to_dict()


def graded_report(text: str = HARM_TEXT, kind: str = "harm", vignette: str = "hill-family") -> dict:
    """A report built by grader.grade() with the vignette's roster, as the app stores it on a version."""
    return copy.deepcopy(_graded(text, kind, vignette))


def submit_work(app, user_id: int, text: str = HARM_TEXT, kind: str = "harm", vignette: str = "hill-family",
                position: int = 1, report: dict | None = None) -> int:
    """Create work the learner has submitted (draft -> submitted, with a 'submit' version); return its id."""
    with app.app_context():
        work = Work(user_id=user_id, vignette_id=vignette, kind=kind, position=position, draft_text=text,
                    status=WorkStatus.DRAFT.value, revision=1)
        db.session.add(work)
        work.transition(WorkStatus.SUBMITTED)
        work.submitted_at = utcnow()
        report = report if report is not None else graded_report(text, kind, vignette)
        db.session.add(
            WorkVersion(work=work, number=1, text=text, source="submit", report=report, verdict=report["verdict"])
        )
        db.session.commit()
        return work.id


def revise_and_resubmit(app, work_id: int, text: str, report: dict) -> None:
    """Do what the learner does after a return: edit (returned -> draft), then submit a new version."""
    with app.app_context():
        work = db.session.get(Work, work_id)
        work.transition(WorkStatus.DRAFT)
        work.draft_text = text
        work.revision += 1
        work.transition(WorkStatus.SUBMITTED)
        work.submitted_at = utcnow()
        number = max(v.number for v in work.versions) + 1
        db.session.add(WorkVersion(work=work, number=number, text=text, source="submit", report=report,
                                   verdict=report["verdict"]))
        db.session.commit()


def full_rubric(score: str = "meets", kind: str = "harm") -> dict:
    """Return form fields scoring every rubric row."""
    from course.review.rubric import criteria

    return {f"rubric-{c.id}-score": score for c in criteria(kind)}


def work_row(app, work_id: int) -> Work:
    """Return a fresh copy of the work."""
    with app.app_context():
        work = db.session.get(Work, work_id)
        db.session.expunge(work)
        return work


# ---------------------------------------------------------------- queue

def test_queue_lists_own_cohorts_oldest_first_with_filters(app, client, auth, world):
    first = submit_work(app, world["omar"])
    second = submit_work(app, world["priya"], kind="danger", text="The worker is worried Marcus may hurt Jayden.")
    other = submit_work(app, world["zoe"])
    auth.login("t1@example.org")
    page = client.get("/review/").get_data(as_text=True)
    assert page.index(f"/review/{first}") < page.index(f"/review/{second}")
    assert f"/review/{other}" not in page and "Zoe Zimmer" not in page

    only_danger = client.get("/review/?kind=danger").get_data(as_text=True)
    assert f"/review/{second}" in only_danger and f"/review/{first}" not in only_danger
    only_omar = client.get(f"/review/?learner={world['omar']}").get_data(as_text=True)
    assert f"/review/{first}" in only_omar and f"/review/{second}" not in only_omar
    assert f"/review/{first}" not in client.get("/review/?vignette=ruiz-family").get_data(as_text=True)
    assert f"/review/{first}" not in client.get("/review/?status=accepted").get_data(as_text=True)

    items = client.get("/review/queue.json").get_json()["items"]
    assert [i["id"] for i in items] == [first, second]


def test_next_and_previous_links_follow_the_queue(app, client, auth, world):
    ids = [submit_work(app, world["omar"], position=p, kind="danger") for p in (1, 2, 3)]
    auth.login("t1@example.org")
    middle = client.get(f"/review/{ids[1]}?kind=danger").get_data(as_text=True)
    assert f'rel="prev" data-nav="prev" href="/review/{ids[0]}?kind=danger"' in middle
    assert f'rel="next" data-nav="next" href="/review/{ids[2]}?kind=danger"' in middle


# ---------------------------------------------------------------- claims

def test_claim_moves_to_in_review_and_a_second_claim_fails_cleanly(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    response = client.post(f"/review/{work_id}/claim")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/{work_id}")
    work = work_row(app, work_id)
    assert work.status == "in_review" and work.claimed_by_id == world["t1"]

    auth.logout()
    auth.login("t2@example.org")
    refused = client.post(f"/review/{work_id}/claim", follow_redirects=True)
    assert refused.status_code == 200
    assert "Tara One is already reviewing this work" in refused.get_data(as_text=True)
    assert client.post(f"/review/{work_id}/claim", headers={"Accept": "application/json"}).status_code == 409
    assert work_row(app, work_id).claimed_by_id == world["t1"]
    # T2 can read it but gets no rubric form and cannot comment
    page = client.get(f"/review/{work_id}").get_data(as_text=True)
    assert "Tara One is reviewing this" in page and "data-rubric-form" not in page
    assert client.post(f"/review/{work_id}/comments", data={"comment-quote": "neglected", "comment-body": "x"},
                       follow_redirects=True).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(InlineComment.id)) is None


def test_claim_guard_holds_even_when_the_loaded_row_is_stale(app, world):
    work_id = submit_work(app, world["priya"])
    with app.app_context():
        work = db.session.get(Work, work_id)
        t2 = db.session.get(User, world["t2"])
        with db.engine.begin() as other_worker:  # another gunicorn worker wins first
            other_worker.execute(
                update(Work).where(Work.id == work_id).values(claimed_by_id=world["t1"], status="in_review")
            )
        assert work.claimed_by_id is None  # this session has not seen it yet
        with pytest.raises(ReviewError, match="already reviewing"):
            claim(work, t2)
    assert work_row(app, work_id).claimed_by_id == world["t1"]


def race_to_claim(app, work_id: int, trainer_ids: list[int]) -> dict[int, str]:
    """Let trainers claim the same work at the same moment, each in its own thread and session."""
    barrier = threading.Barrier(len(trainer_ids))
    outcomes = {}

    def attempt(trainer_id):
        with app.app_context():
            work = db.session.get(Work, work_id)
            trainer = db.session.get(User, trainer_id)
            barrier.wait()
            try:
                claim(work, trainer)
                db.session.commit()  # as the claim view does
                outcomes[trainer_id] = "won"
            except ReviewError:
                outcomes[trainer_id] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(t,)) for t in trainer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcomes


def test_simultaneous_claims_have_exactly_one_winner(app, world):
    work_id = submit_work(app, world["priya"])
    outcomes = race_to_claim(app, work_id, [world["t1"], world["t2"]])
    assert sorted(outcomes.values()) == ["refused", "won"]
    winner = next(t for t, result in outcomes.items() if result == "won")
    work = work_row(app, work_id)
    assert work.claimed_by_id == winner and work.status == "in_review"


def test_release_returns_work_to_the_queue_only_for_the_claimer(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    auth.logout()
    auth.login("t2@example.org")
    client.post(f"/review/{work_id}/release")
    assert work_row(app, work_id).claimed_by_id == world["t1"]
    auth.logout()
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/release")
    work = work_row(app, work_id)
    assert work.status == "submitted" and work.claimed_by_id is None and work.claimed_at is None


def age_claim(app, work_id: int, minutes: int) -> None:
    """Pretend the claimer last touched the work this many minutes ago."""
    with app.app_context():
        db.session.execute(
            update(Work).where(Work.id == work_id).values(claimed_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def test_an_idle_claim_can_be_taken_over_and_the_draft_review_carries_over(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    client.post(f"/review/{work_id}", data={"rubric-child-score": "meets", "overall_comment": "Good start."})
    auth.logout()
    auth.login("t2@example.org")
    age_claim(app, work_id, 119)  # the default limit is 120 minutes: not idle yet
    assert "Take over" not in client.get("/review/").get_data(as_text=True)
    assert "already reviewing" in client.post(f"/review/{work_id}/claim", follow_redirects=True).get_data(as_text=True)

    age_claim(app, work_id, 121)
    queue_page = client.get("/review/").get_data(as_text=True)
    assert "Tara One is reviewing (untouched since" in queue_page and "Take over" in queue_page
    assert client.get("/review/queue.json").get_json()["items"][0]["claim_idle"] is True
    assert "Take over this review" in client.get(f"/review/{work_id}").get_data(as_text=True)
    taken = client.post(f"/review/{work_id}/claim", follow_redirects=True).get_data(as_text=True)
    assert "You took this review over from Tara One" in taken
    work = work_row(app, work_id)
    assert work.claimed_by_id == world["t2"] and work.status == "in_review"
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.work_id == work_id))
        assert review.trainer_id == world["t2"] and review.overall_comment == "Good start."
        assert review.rubric["child"]["score"] == "meets"
    # the first trainer has lost the claim: saving is refused with a message, and nothing changes
    auth.logout()
    auth.login("t1@example.org")
    refused = client.post(f"/review/{work_id}", data={"overall_comment": "Mine now?"})
    assert refused.status_code == 409 and "Claim this work" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Review.overall_comment).where(Review.work_id == work_id)) == "Good start."


def test_working_on_a_review_keeps_the_claim_fresh(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    age_claim(app, work_id, 300)
    client.post(f"/review/{work_id}", data={"overall_comment": "Still on it."})
    with app.app_context():
        assert utcnow() - db.session.get(Work, work_id).claimed_at < timedelta(minutes=1)
    auth.logout()
    auth.login("t2@example.org")
    assert "already reviewing" in client.post(f"/review/{work_id}/claim", follow_redirects=True).get_data(as_text=True)


def test_claiming_twice_is_harmless(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    assert client.post(f"/review/{work_id}/claim").status_code == 302
    again = client.post(f"/review/{work_id}/claim", follow_redirects=True)
    assert again.status_code == 200 and "already reviewing" not in again.get_data(as_text=True)
    assert work_row(app, work_id).claimed_by_id == world["t1"]


def test_simultaneous_takeovers_have_exactly_one_winner(app, world, factory):
    work_id = submit_work(app, world["priya"])
    with app.app_context():
        claim(db.session.get(Work, work_id), db.session.get(User, world["t1"]))
        db.session.commit()
    age_claim(app, work_id, 500)
    t4 = factory.user("trainer", email="t4@example.org", name="Tomas Four", cohort_id=world["a"])
    outcomes = race_to_claim(app, work_id, [world["t2"], t4])
    assert sorted(outcomes.values()) == ["refused", "won"]
    assert work_row(app, work_id).claimed_by_id == next(t for t, r in outcomes.items() if r == "won")


# ---------------------------------------------------------------- the review screen

def test_review_screen_shows_marks_checklist_vignette_and_exemplar(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    page = client.get(f"/review/{work_id}").get_data(as_text=True)
    label = category_label("vague_label")  # the vocabulary's label, as on the learner's page
    assert f'<span data-start="7" class="seg seg--finding" title="Grader: {label}">neglected</span>' in page
    assert f"<strong>{label}</strong> <q>neglected</q>" in page
    assert 'href="#finding-1" data-skip>' in page and "F1</a>" in page  # a label, not colour alone
    assert "What the caregiver did</strong>: missing" in page
    assert "The Hill family" in page and "Trainer exemplar" in page and "eight or nine beers" in page
    for label in ("What the caregiver did", "Which child", "Impact on the child", "When or how often",
                  "Behaviorally specific, plain language"):
        assert f"<strong>{label}</strong>" in page
    assert page.count('value="meets"') == 5


@pytest.mark.parametrize("kind,rows", [("danger", 6), ("safety_goal", 6), ("sf_question", 4)])
def test_rubric_rows_follow_the_kind(app, client, auth, world, kind, rows):
    work_id = submit_work(app, world["priya"], kind=kind, text="Some text about Jayden.")
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    assert client.get(f"/review/{work_id}").get_data(as_text=True).count('value="meets"') == rows


def test_accept_needs_a_complete_rubric_then_sends_work_accepted(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    received = []

    def listener(sender, user, work, version, score):
        received.append({"user": user.id, "work": work.id, "version": version.number, "score": score})

    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    half = {"rubric-child-score": "meets", "action": "accept"}
    refused = client.post(f"/review/{work_id}", data=half)
    assert refused.status_code == 409 and "Not scored yet: What the caregiver did" in refused.get_data(as_text=True)
    assert work_row(app, work_id).status == "in_review"

    data = {**full_rubric(), "rubric-impact-score": "partly", "rubric-impact-comment": "Say how Jayden felt.",
            "overall_comment": "Clear and specific.", "action": "accept"}
    with work_accepted.connected_to(listener):
        response = client.post(f"/review/{work_id}", data=data)
    assert response.status_code == 302
    work = work_row(app, work_id)
    assert work.status == "accepted" and work.claimed_by_id is None
    assert len(received) == 1
    assert received == [{"user": world["priya"], "work": work_id, "version": 1, "score": pytest.approx(0.8)}]
    with app.app_context():
        review = db.session.scalar(select(Review))
        assert review.decision == "accept" and review.grader_verdict == "revise" and review.trainer_id == world["t1"]
        assert review.rubric["impact"] == {"score": "partly", "comment": "Say how Jayden felt."}


def test_return_needs_a_comment(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    refused = client.post(f"/review/{work_id}", data={**full_rubric("not_yet"), "action": "return"})
    assert refused.status_code == 409 and "Say what to revise" in refused.get_data(as_text=True)
    assert work_row(app, work_id).status == "in_review"


def test_return_revise_resubmit_then_accept_with_a_diff(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    client.post(f"/review/{work_id}/comments", data={"comment-quote": "neglected", "comment-body": "What did he do?"})
    response = client.post(f"/review/{work_id}", data={**full_rubric("partly"), "overall_comment": "Name the act.",
                                                       "action": "return"})
    assert response.status_code == 302
    assert work_row(app, work_id).status == "returned"

    # The learner sees the decision and the comment in place.
    auth.logout()
    auth.login("priya@example.org")
    mine = client.get(f"/review/mine/{work_id}").get_data(as_text=True)
    assert "Returned for revision." in mine and "Name the act." in mine and "What did he do?" in mine
    assert '<span data-start="7" class="seg seg--comment" title="Trainer comment">neglected</span>' in mine

    revise_and_resubmit(app, work_id, REVISED_TEXT, graded_report(REVISED_TEXT))
    auth.logout()
    auth.login("t2@example.org")  # any trainer of the cohort may take the resubmission
    assert client.post(f"/review/{work_id}/claim").status_code == 302
    page = client.get(f"/review/{work_id}").get_data(as_text=True)
    assert "Changes since your last review (version 1)" in page
    assert "<del><span class=\"visually-hidden\">[removed: </span>neglected" in page
    assert "<ins><span class=\"visually-hidden\">[added: </span>grabbed" in page
    assert "Version 2" in page
    client.post(f"/review/{work_id}", data={**full_rubric(), "action": "accept"})
    assert work_row(app, work_id).status == "accepted"
    with app.app_context():
        decisions = [(r.version.number, r.decision) for r in db.session.scalars(select(Review).order_by(Review.id))]
    assert decisions == [(1, "return"), (2, "accept")]


def test_saving_the_rubric_keeps_it_without_deciding(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    saved = client.post(f"/review/{work_id}", data={"rubric-child-score": "meets", "overall_comment": "Draft note",
                                                    "action": "save"}, headers={"Accept": "application/json"})
    assert saved.get_json() == {"saved": True, "status": "in_review"}
    page = client.get(f"/review/{work_id}").get_data(as_text=True)
    assert 'name="rubric-child-score" value="meets" checked' in page and "Draft note</textarea>" in page


# ---------------------------------------------------------------- inline comments

def test_comments_anchor_to_spans_and_survive_a_reload(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    start = HARM_TEXT.index("bruises")
    # what the script sends after a selection: offsets plus the words
    client.post(f"/review/{work_id}/comments", data={"comment-start": start, "comment-end": start + 7,
                                                     "comment-quote": "bruises", "comment-body": "Where, how many?"})
    # without the script: only the quoted words; the second "Jayden"
    client.post(f"/review/{work_id}/comments", data={"comment-quote": "Jayden", "comment-occurrence": 2,
                                                     "comment-body": "Age?"})
    created = client.post(f"/review/{work_id}/comments",
                          json={"start": 0, "end": 6, "body": "Full name", "quote": "Marcus"},
                          headers={"Accept": "application/json"})
    assert created.status_code == 201 and created.get_json()["quote"] == "Marcus"
    bad = client.post(f"/review/{work_id}/comments", data={"comment-quote": "hit him", "comment-body": "?"},
                      follow_redirects=True)
    assert "Those words are not in the statement" in bad.get_data(as_text=True)

    with app.app_context():
        spans = sorted((c.start, c.end, c.quote) for c in db.session.scalars(select(InlineComment)))
    second_jayden = HARM_TEXT.index("Jayden", HARM_TEXT.index("Jayden") + 1)
    assert spans == [(0, 6, "Marcus"), (second_jayden, second_jayden + 6, "Jayden"), (start, start + 7, "bruises")]

    page = client.get(f"/review/{work_id}").get_data(as_text=True)
    assert f'<span data-start="{start}" class="seg seg--comment" title="Trainer comment">bruises</span>' in page
    assert "C3</a>" in page and "Where, how many?" in page


def test_removing_a_comment(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    comment_id = client.post(f"/review/{work_id}/comments", json={"start": 0, "end": 6, "body": "Who?"},
                             headers={"Accept": "application/json"}).get_json()["id"]
    client.post(f"/review/{work_id}/comments/{comment_id}/delete")
    with app.app_context():
        assert db.session.scalar(select(InlineComment.id)) is None


# ---------------------------------------------------------------- comment bank

def test_comment_bank_save_insert_and_delete(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post("/review/bank", data={"text": "Say what the caregiver did, not a label."})
    assert "Say what the caregiver did, not a label." in client.get("/review/bank").get_data(as_text=True)
    with app.app_context():
        entry_id = db.session.scalar(select(CommentBankEntry.id))

    client.post(f"/review/{work_id}/claim")
    client.post(f"/review/{work_id}/comments", data={"comment-quote": "neglected", "comment-body": "",
                                                     "comment-bank_entry": entry_id})
    client.post(f"/review/{work_id}/comments", data={"comment-quote": "bruises", "comment-body": "How many bruises?",
                                                     "comment-save_to_bank": "y"})
    assert (client.post(f"/review/bank/{entry_id}/use").get_json()
            == {"text": "Say what the caregiver did, not a label."})
    client.post(f"/review/{work_id}", data={"overall_comment": "", "overall_bank": entry_id, "action": "save"})
    with app.app_context():
        bodies = [c.body for c in db.session.scalars(select(InlineComment).order_by(InlineComment.id))]
        bank = {e.text: e.uses for e in db.session.scalars(select(CommentBankEntry))}
        overall = db.session.scalar(select(Review.overall_comment))
    assert bodies == ["Say what the caregiver did, not a label.", "How many bruises?"]
    assert bank == {"Say what the caregiver did, not a label.": 3, "How many bruises?": 0}
    assert overall == "Say what the caregiver did, not a label."

    auth.logout()
    auth.login("t2@example.org")  # another trainer's bank is private
    assert "Say what the caregiver did" not in client.get("/review/bank").get_data(as_text=True)
    assert client.post(f"/review/bank/{entry_id}/delete").status_code == 404
    assert client.post(f"/review/bank/{entry_id}/use").status_code == 404
    auth.logout()
    auth.login("t1@example.org")
    client.post(f"/review/bank/{entry_id}/delete")
    with app.app_context():
        assert db.session.get(CommentBankEntry, entry_id) is None


# ---------------------------------------------------------------- feedback on the grader

def test_not_an_issue_toggles_and_missed_problems_are_stored(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    client.post(f"/review/{work_id}/findings/1")
    assert "Marked not an issue" in client.get(f"/review/{work_id}").get_data(as_text=True)
    client.post(f"/review/{work_id}/findings/1")
    client.post(f"/review/{work_id}/findings/1")
    assert client.post(f"/review/{work_id}/findings/9").status_code == 404
    client.post(f"/review/{work_id}/missed", data={"missed-category": "passive_voice", "missed-quote": "had bruises",
                                                   "missed-note": "Who caused the bruises?"})
    with app.app_context():
        rows = [
            (f.feedback, f.rule, f.category, f.quote, f.kind)
            for f in db.session.scalars(select(GraderFeedback).order_by(GraderFeedback.id))
        ]
    assert rows == [("not_an_issue", "label.neglect", "vague_label", "neglected", "harm"),
                    ("missed", "", "passive_voice", "had bruises", "harm")]


# ---------------------------------------------------------------- what learners see

def test_learner_sees_only_their_own_feedback_and_download(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}/claim")
    client.post(f"/review/{work_id}/comments", data={"comment-quote": "neglected", "comment-body": "Say what he did."})
    auth.logout()

    auth.login("priya@example.org")
    assert "No trainer has finished reviewing" in client.get(f"/review/mine/{work_id}").get_data(as_text=True)
    auth.logout()
    auth.login("t1@example.org")
    client.post(f"/review/{work_id}", data={**full_rubric(), "action": "accept"})
    auth.logout()

    auth.login("priya@example.org")
    download = client.get("/review/my-work.json")
    assert download.headers["Content-Disposition"].startswith("attachment")
    data = download.get_json()
    assert data["learner"]["email"] == "priya@example.org"
    version = data["work"][0]["versions"][0]
    assert version["text"] == HARM_TEXT and version["review"]["decision"] == "accept"
    assert version["review"]["inline_comments"][0]["quote"] == "neglected"
    auth.logout()

    auth.login("omar@example.org")
    assert client.get(f"/review/mine/{work_id}").status_code == 404
    assert client.get("/review/my-work.json").get_json()["work"] == []


def test_learner_feedback_partial_renders_for_the_owner_only(app, world):
    from flask import render_template_string
    from flask_login import login_user

    work_id = submit_work(app, world["priya"])
    with app.app_context():
        work = db.session.get(Work, work_id)
        work.transition(WorkStatus.IN_REVIEW)
        version = work.versions[0]
        review = Review(work=work, version=version, trainer_id=world["t1"],
                        rubric={"child": {"score": "meets", "comment": ""}},
                        overall_comment="Good start.", decision="return", decided_at=utcnow())
        db.session.add(review)
        db.session.add(
            InlineComment(review=review, start=7, end=16, quote="neglected", body="Which act?", author_id=world["t1"])
        )
        work.transition(WorkStatus.RETURNED)
        db.session.commit()
        template = '{% include "review/_learner_feedback.html" ignore missing with context %}'
        with app.test_request_context():
            login_user(db.session.get(User, world["priya"]))
            html = render_template_string(template, work=work)
        assert "Returned for revision." in html and "Good start." in html and "Which act?" in html
        assert '<span data-start="7" class="seg seg--comment" title="Trainer comment">neglected</span>' in html
        with app.test_request_context():
            login_user(db.session.get(User, world["omar"]))
            assert "Good start." not in render_template_string(template, work=work)


def test_demo_seed_gives_trainers_a_starter_bank_once(app, world):
    from course.models import Cohort
    from course.review.demo import STARTER_COMMENTS, seed

    with app.app_context():
        cohort = db.session.get(Cohort, world["a"])
        assert seed(cohort) == ["  Review: starter comment bank for Tara One, Theo Two."]
        db.session.commit()
        assert seed(cohort) == []
        texts = db.session.scalars(select(CommentBankEntry.text).where(CommentBankEntry.trainer_id == world["t1"]))
        assert sorted(texts) == sorted(STARTER_COMMENTS)
