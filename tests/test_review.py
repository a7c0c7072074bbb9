"""The review queue, claims, the review screen, comments, the comment bank and every decision path."""
from __future__ import annotations

import copy
import threading
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from course.database import utcnow
from course.events import work_accepted
from course.extensions import db
from course.grading import roster_for
from course.models import User, Work, WorkStatus, WorkVersion
from course.models.notices import Notice
from course.models.review import CommentBankEntry, GraderFeedback, InlineComment, Review, ReviewSet
from course.review.services import ReviewError
from course.review.sets import claim_set
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


def full_rubric(work_id: int, score: str = "meets", kind: str = "harm") -> dict:
    """Return the set form's fields scoring every rubric row of one statement."""
    from course.review.rubric import criteria

    return {f"w{work_id}-{c.id}-score": score for c in criteria(kind)}


def work_row(app, work_id: int) -> Work:
    """Return a fresh copy of the work."""
    with app.app_context():
        work = db.session.get(Work, work_id)
        db.session.expunge(work)
        return work


def set_url(learner_id: int, vignette: str = "hill-family") -> str:
    """Return the set screen's address."""
    return f"/review/sets/{learner_id}/{vignette}"


DANGER_TEXT = "The worker is worried Marcus may hurt Jayden."


def set_of(app, work_id: int) -> str:
    """Return the address of the set a work belongs to."""
    with app.app_context():
        work = db.session.get(Work, work_id)
        return set_url(work.user_id, work.vignette_id)


def send_decisions(client, app, decisions: dict[int, str], overall: str = "Noted.", **fields):
    """Claim the works' set and send one decision per statement, every rubric row scored 'meets'."""
    url = set_of(app, next(iter(decisions)))
    data = {"action": "send"}
    for work_id, decision in decisions.items():
        data.update(full_rubric(work_id, kind=work_row(app, work_id).kind))
        data[f"w{work_id}-overall_comment"] = overall
        data[f"w{work_id}-decision"] = decision
    data.update(fields)
    client.post(url + "/claim")
    return client.post(url, data=data)


# ---------------------------------------------------------------- queue

def test_queue_lists_sets_of_own_cohorts_oldest_first_with_filters(app, client, auth, world):
    submit_work(app, world["omar"])
    submit_work(app, world["priya"])
    submit_work(app, world["priya"], kind="danger", text=DANGER_TEXT)  # joins Priya's set
    submit_work(app, world["zoe"])
    auth.login("t1@example.org")
    page = client.get("/review/").get_data(as_text=True)
    assert page.index(set_url(world["omar"])) < page.index(set_url(world["priya"]))
    assert page.count(f'href="{set_url(world["priya"])}"') == 1  # one item for the whole set
    assert set_url(world["zoe"]) not in page and "Zoe Zimmer" not in page
    assert "Harm Statement" in page and "Danger Statement 1" in page

    only_omar = client.get(f"/review/?learner={world['omar']}").get_data(as_text=True)
    assert set_url(world["omar"]) in only_omar and set_url(world["priya"]) not in only_omar
    assert set_url(world["omar"]) not in client.get("/review/?vignette=ruiz-family").get_data(as_text=True)
    assert set_url(world["omar"]) not in client.get("/review/?status=accepted").get_data(as_text=True)
    newest = client.get("/review/?sort=newest").get_data(as_text=True)
    assert newest.index(set_url(world["priya"])) < newest.index(set_url(world["omar"]))

    items = client.get("/review/queue.json").get_json()["items"]
    assert [i["url"] for i in items] == [set_url(world["omar"]), set_url(world["priya"])]
    assert items[1]["statements"] == ["Harm Statement", "Danger Statement 1"] and items[1]["open"] == 2


def test_queue_sorts_by_the_grader_verdict(app, client, auth, world):
    ready = graded_report(REVISED_TEXT)
    assert ready["verdict"] == "ready" and graded_report(HARM_TEXT)["verdict"] == "revise"
    submit_work(app, world["omar"])  # older, and the grader says revise
    submit_work(app, world["priya"], text=REVISED_TEXT)
    auth.login("t1@example.org")
    items = client.get("/review/queue.json?sort=ready").get_json()["items"]
    assert [(i["url"], i["grader_ready"]) for i in items] == [(set_url(world["priya"]) + "?sort=ready", 1),
                                                              (set_url(world["omar"]) + "?sort=ready", 0)]
    items = client.get("/review/queue.json?sort=revise").get_json()["items"]
    assert [i["vignette_id"] for i in items] == ["hill-family"] * 2
    assert [i["url"].split("?")[0] for i in items] == [set_url(world["omar"]), set_url(world["priya"])]


def test_next_and_previous_links_follow_the_queue(app, client, auth, world, factory):
    third = factory.user("learner", email="quinn@example.org", name="Quinn Quill", cohort_id=world["a"])
    for learner in (world["omar"], world["priya"], third):
        submit_work(app, learner)
    auth.login("t1@example.org")
    middle = client.get(set_url(world["priya"]) + "?sort=oldest").get_data(as_text=True)
    assert f'rel="prev" data-nav="prev" href="{set_url(world["omar"])}"' in middle
    assert f'rel="next" data-nav="next" href="{set_url(third)}"' in middle


def test_one_statement_address_opens_its_set(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    response = client.get(f"/review/{work_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{set_url(world['priya'])}#work-{work_id}")
    auth.logout()
    auth.login("t3@example.org")  # another cohort's trainer
    assert client.get(f"/review/{work_id}").status_code == 404
    assert client.get(set_url(world["priya"])).status_code == 404


# ---------------------------------------------------------------- claims

def test_claiming_a_set_takes_every_statement_and_a_second_claim_fails_cleanly(app, client, auth, world):
    harm = submit_work(app, world["priya"])
    danger = submit_work(app, world["priya"], kind="danger", text=DANGER_TEXT)
    auth.login("t1@example.org")
    response = client.post(set_url(world["priya"]) + "/claim")
    assert response.status_code == 302 and response.headers["Location"].endswith(set_url(world["priya"]))
    for work_id in (harm, danger):
        work = work_row(app, work_id)
        assert work.status == "in_review" and work.claimed_by_id == world["t1"]
    with app.app_context():
        row = db.session.scalar(select(ReviewSet))
        assert (row.user_id, row.vignette_id, row.claimed_by_id) == (world["priya"], "hill-family", world["t1"])
        assert db.session.scalar(select(func.count(Review.id))) == 2  # a review started for each statement

    auth.logout()
    auth.login("t2@example.org")
    refused = client.post(set_url(world["priya"]) + "/claim", follow_redirects=True)
    assert refused.status_code == 200
    assert "Tara One is already reviewing this set" in refused.get_data(as_text=True)
    assert client.post(set_url(world["priya"]) + "/claim", headers={"Accept": "application/json"}).status_code == 409
    assert work_row(app, harm).claimed_by_id == world["t1"]
    # T2 can read it but gets no rubric form and cannot comment
    page = client.get(set_url(world["priya"])).get_data(as_text=True)
    assert "Tara One is reviewing this set" in page and "data-rubric-form" not in page
    assert client.post(f"/review/{harm}/comments", data={f"w{harm}-comment-quote": "neglected",
                                                         f"w{harm}-comment-body": "x"},
                       follow_redirects=True).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(InlineComment.id)) is None


def test_claim_guard_holds_even_when_the_loaded_row_is_stale(app, world):
    submit_work(app, world["priya"])
    with app.app_context():
        t2 = db.session.get(User, world["t2"])
        with db.engine.begin() as other_worker:  # another gunicorn worker made the row and won first
            other_worker.execute(insert(ReviewSet).values(user_id=world["priya"], vignette_id="hill-family",
                                                          claimed_by_id=world["t1"], claimed_at=utcnow(),
                                                          created_at=utcnow()))
        with pytest.raises(ReviewError, match="already reviewing"):
            claim_set(world["priya"], "hill-family", t2)
        db.session.rollback()


def race_to_claim(app, learner_id: int, trainer_ids: list[int]) -> dict[int, str]:
    """Let trainers claim the same set at the same moment, each in its own thread and session."""
    barrier = threading.Barrier(len(trainer_ids), timeout=20)
    outcomes = {}

    def attempt(trainer_id):
        with app.app_context():
            trainer = db.session.get(User, trainer_id)
            barrier.wait()
            try:
                claim_set(learner_id, "hill-family", trainer)
                db.session.commit()  # as the claim view does
                outcomes[trainer_id] = "won"
            except ReviewError:
                db.session.rollback()
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
    outcomes = race_to_claim(app, world["priya"], [world["t1"], world["t2"]])
    assert sorted(outcomes.values()) == ["refused", "won"]
    winner = next(t for t, result in outcomes.items() if result == "won")
    work = work_row(app, work_id)
    assert work.claimed_by_id == winner and work.status == "in_review"


def test_release_returns_the_set_to_the_queue_only_for_the_claimer(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(set_url(world["priya"]) + "/claim")
    auth.logout()
    auth.login("t2@example.org")
    client.post(set_url(world["priya"]) + "/release")
    assert work_row(app, work_id).claimed_by_id == world["t1"]
    auth.logout()
    auth.login("t1@example.org")
    client.post(set_url(world["priya"]) + "/release")
    work = work_row(app, work_id)
    assert work.status == "submitted" and work.claimed_by_id is None and work.claimed_at is None
    with app.app_context():
        assert db.session.scalar(select(ReviewSet.claimed_by_id)) is None


def age_claim(app, minutes: int) -> None:
    """Pretend the claimer last touched the set this many minutes ago."""
    with app.app_context():
        db.session.execute(update(ReviewSet).values(claimed_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()


def test_an_idle_claim_can_be_taken_over_and_the_draft_review_carries_over(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    url = set_url(world["priya"])
    auth.login("t1@example.org")
    client.post(url + "/claim")
    client.post(url, data={f"w{work_id}-child-score": "meets", f"w{work_id}-overall_comment": "Good start.",
                           "action": "save"})
    auth.logout()
    auth.login("t2@example.org")
    age_claim(app, 119)  # the default limit is 120 minutes: not idle yet
    assert "Take over" not in client.get("/review/").get_data(as_text=True)
    assert "already reviewing" in client.post(url + "/claim", follow_redirects=True).get_data(as_text=True)

    age_claim(app, 121)
    queue_page = client.get("/review/").get_data(as_text=True)
    assert "Take over" in queue_page
    assert client.get("/review/queue.json").get_json()["items"][0]["claim_idle"] is True
    assert "Take over this set" in client.get(url).get_data(as_text=True)
    taken = client.post(url + "/claim", follow_redirects=True).get_data(as_text=True)
    assert "You took this set over from Tara One" in taken
    work = work_row(app, work_id)
    assert work.claimed_by_id == world["t2"] and work.status == "in_review"
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.work_id == work_id))
        assert review.trainer_id == world["t2"] and review.overall_comment == "Good start."
        assert review.rubric["child"]["score"] == "meets"
    # the first trainer has lost the claim: saving is refused with a message, and nothing changes
    auth.logout()
    auth.login("t1@example.org")
    refused = client.post(url, data={f"w{work_id}-overall_comment": "Mine now?", "action": "save"})
    assert refused.status_code == 409 and "Claim this set" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Review.overall_comment).where(Review.work_id == work_id)) == "Good start."


def test_working_on_a_review_keeps_the_claim_fresh(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    url = set_url(world["priya"])
    auth.login("t1@example.org")
    client.post(url + "/claim")
    age_claim(app, 300)
    client.post(url, data={f"w{work_id}-overall_comment": "Still on it.", "action": "save"})
    with app.app_context():
        assert utcnow() - db.session.scalar(select(ReviewSet.claimed_at)) < timedelta(minutes=1)
    auth.logout()
    auth.login("t2@example.org")
    assert "already reviewing" in client.post(url + "/claim", follow_redirects=True).get_data(as_text=True)


def test_claiming_twice_is_harmless(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    assert client.post(set_url(world["priya"]) + "/claim").status_code == 302
    again = client.post(set_url(world["priya"]) + "/claim", follow_redirects=True)
    assert again.status_code == 200 and "already reviewing" not in again.get_data(as_text=True)
    assert work_row(app, work_id).claimed_by_id == world["t1"]


def test_simultaneous_takeovers_have_exactly_one_winner(app, world, factory):
    work_id = submit_work(app, world["priya"])
    with app.app_context():
        claim_set(world["priya"], "hill-family", db.session.get(User, world["t1"]))
        db.session.commit()
    age_claim(app, 500)
    t4 = factory.user("trainer", email="t4@example.org", name="Tomas Four", cohort_id=world["a"])
    outcomes = race_to_claim(app, world["priya"], [world["t2"], t4])
    assert sorted(outcomes.values()) == ["refused", "won"]
    assert work_row(app, work_id).claimed_by_id == next(t for t, r in outcomes.items() if r == "won")


# ---------------------------------------------------------------- the set screen

def test_set_screen_shows_every_statement_with_marks_checklist_vignette_and_exemplar(app, client, auth, world):
    harm = submit_work(app, world["priya"])
    danger = submit_work(app, world["priya"], kind="danger", text=DANGER_TEXT)
    auth.login("t1@example.org")
    before = client.get(set_url(world["priya"])).get_data(as_text=True)
    assert "Claim this set to review" in before and "data-rubric-form" not in before
    client.post(set_url(world["priya"]) + "/claim")
    page = client.get(set_url(world["priya"])).get_data(as_text=True)
    label = category_label("vague_label")  # the vocabulary's label, as on the learner's page
    assert f'<span data-start="7" class="seg seg--finding" title="Grader: {label}">neglected</span>' in page
    assert f'href="#w{harm}-finding-1" data-skip>' in page and "F1</a>" in page  # a label, not colour alone
    assert f'id="w{harm}-finding-1"' in page
    assert f'id="work-{harm}"' in page and f'id="work-{danger}"' in page
    assert page.index(f'id="work-{harm}"') < page.index(f'id="work-{danger}"')  # writing order
    assert "The Hill family" in page and "Trainer exemplar" in page and "eight or nine beers" in page
    assert "Decision on Harm Statement" in page and "Decision on Danger Statement 1" in page
    assert page.count(f'name="w{harm}-decision"') == 3 and page.count(f'name="w{danger}-decision"') == 3


@pytest.mark.parametrize("kind,rows", [("harm", 5), ("danger", 6), ("safety_goal", 6), ("sf_question", 4)])
def test_rubric_rows_follow_the_kind(app, client, auth, world, kind, rows):
    work_id = submit_work(app, world["priya"], kind=kind, text="Some text about Jayden.")
    auth.login("t1@example.org")
    client.post(set_url(world["priya"]) + "/claim")
    page = client.get(set_url(world["priya"])).get_data(as_text=True)
    assert page.count(f'name="w{work_id}-') and page.count('value="meets"') == rows


def test_sending_decides_every_statement_at_once_or_none(app, client, auth, world):
    harm = submit_work(app, world["priya"])
    danger = submit_work(app, world["priya"], kind="danger", text=DANGER_TEXT)
    url = set_url(world["priya"])
    received = []

    def listener(sender, user, work, version, score):
        received.append({"user": user.id, "work": work.id, "version": version.number, "score": score})

    auth.login("t1@example.org")
    client.post(url + "/claim")
    half = {**full_rubric(harm), f"w{harm}-decision": "accept", f"w{danger}-decision": "accept",
            f"w{danger}-likelihood-score": "meets", "action": "send"}
    refused = client.post(url, data=half)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Nothing was sent" in text and "Not scored yet" in text
    assert work_row(app, harm).status == "in_review" and work_row(app, danger).status == "in_review"
    with app.app_context():  # the scores were kept, even though nothing was decided
        assert db.session.scalar(select(Review.rubric).where(Review.work_id == harm))["child"]["score"] == "meets"

    data = {**full_rubric(harm), f"w{harm}-impact-score": "partly", f"w{harm}-impact-comment": "Say how Jayden felt.",
            f"w{harm}-overall_comment": "Clear and specific.", f"w{harm}-decision": "accept",
            **full_rubric(danger, "not_yet", "danger"), f"w{danger}-overall_comment": "Say what you fear.",
            f"w{danger}-decision": "return", "action": "send"}
    with work_accepted.connected_to(listener):
        response = client.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "Sent: 1 statement accepted and 1 statement returned." in response.get_data(as_text=True)
    assert work_row(app, harm).status == "accepted" and work_row(app, danger).status == "returned"
    assert work_row(app, harm).claimed_by_id is None
    assert received == [{"user": world["priya"], "work": harm, "version": 1, "score": pytest.approx(0.8)}]
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.work_id == harm))
        assert review.decision == "accept" and review.grader_verdict == "revise" and review.trainer_id == world["t1"]
        assert review.rubric["impact"] == {"score": "partly", "comment": "Say how Jayden felt."}
        assert db.session.scalar(select(ReviewSet.claimed_by_id)) is None
        notices = list(db.session.scalars(select(Notice).where(Notice.user_id == world["priya"])))
    assert [(n.kind, n.title) for n in notices] == [
        ("returned", "The Hill family: 1 statement returned for revision")]
    assert "Returned for revision: Danger Statement 1." in notices[0].body
    assert "Accepted: Harm Statement." in notices[0].body


def test_return_needs_a_comment(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    url = set_url(world["priya"])
    auth.login("t1@example.org")
    client.post(url + "/claim")
    refused = client.post(url, data={**full_rubric(work_id, "not_yet"), f"w{work_id}-decision": "return",
                                     "action": "send"})
    assert refused.status_code == 409 and "Say what to revise" in refused.get_data(as_text=True)
    assert work_row(app, work_id).status == "in_review"
    # A comment on one rubric row is enough to say what to revise.
    sent = client.post(url, data={**full_rubric(work_id, "not_yet"), f"w{work_id}-child-comment": "Name Jayden.",
                                  f"w{work_id}-decision": "return", "action": "send"})
    assert sent.status_code == 302 and work_row(app, work_id).status == "returned"


def test_return_revise_resubmit_comes_back_first_marked_and_prescored(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    url = set_url(world["priya"])
    auth.login("t1@example.org")
    client.post(url + "/claim")
    client.post(f"/review/{work_id}/comments", data={f"w{work_id}-comment-quote": "Jayden",
                                                     f"w{work_id}-comment-body": "Give his age."})
    client.post(f"/review/{work_id}/comments", data={f"w{work_id}-comment-quote": "neglected",
                                                     f"w{work_id}-comment-body": "What did he do?"})
    response = client.post(url, data={**full_rubric(work_id, "partly"), f"w{work_id}-overall_comment": "Name the act.",
                                      f"w{work_id}-decision": "return", "action": "send"})
    assert response.status_code == 302
    assert work_row(app, work_id).status == "returned"

    # The learner sees the decision and the comment in place.
    auth.logout()
    auth.login("priya@example.org")
    mine = client.get(f"/review/mine/{work_id}").get_data(as_text=True)
    assert "Returned for revision." in mine and "Name the act." in mine and "What did he do?" in mine
    assert '<span data-start="7" class="seg seg--comment" title="Trainer comment">neglected</span>' in mine
    statement = client.get("/exercises/hill-family/write/harm/1").get_data(as_text=True)
    assert statement.index("Returned for revision") < statement.index('class="verdict ')  # the trainer first
    with app.app_context():
        notice = db.session.scalar(select(Notice))
    assert notice.kind == "returned" and notice.url == "/exercises/hill-family/write/harm/1"

    submit_work(app, world["omar"])  # older than the resubmission
    revise_and_resubmit(app, work_id, REVISED_TEXT, graded_report(REVISED_TEXT))
    auth.logout()
    auth.login("t1@example.org")  # the trainer who returned it sees it first, marked
    items = client.get("/review/queue.json").get_json()["items"]
    assert [(i["url"], i["resubmitted"], i["returned_by_you"]) for i in items] == [
        (url, True, True), (set_url(world["omar"]), False, False)]
    assert "Resubmitted" in client.get("/review/").get_data(as_text=True)
    auth.logout()
    auth.login("t2@example.org")  # for another trainer it keeps its place by age
    assert [i["url"] for i in client.get("/review/queue.json").get_json()["items"]][0] == set_url(world["omar"])
    assert client.post(url + "/claim").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Resubmitted after a return" in page and "Version 2" in page
    assert "Changes since the version reviewed before (version 1)" in page
    assert "<del><span class=\"visually-hidden\">[removed: </span>neglected" in page
    assert "<ins><span class=\"visually-hidden\">[added: </span>grabbed" in page
    # the new review starts from the earlier one: scores, overall comment, comments whose words remain
    assert f'<input checked form="set-form" id="w{work_id}-child-score-1" name="w{work_id}-child-score"' in page
    assert "Name the act.</textarea>" in page
    with app.app_context():
        version2 = db.session.scalar(select(Review).join(WorkVersion).where(WorkVersion.number == 2))
        assert version2.rubric["child"]["score"] == "partly" and version2.overall_comment == "Name the act."
        assert [c.body for c in version2.comments] == ["Give his age."]  # "neglected" is gone from the text
    client.post(url, data={**full_rubric(work_id), f"w{work_id}-decision": "accept", "action": "send"})
    assert work_row(app, work_id).status == "accepted"
    with app.app_context():
        decisions = [(r.version.number, r.decision) for r in db.session.scalars(select(Review).order_by(Review.id))]
    assert decisions == [(1, "return"), (2, "accept")]


def test_saving_the_rubric_keeps_it_without_deciding(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    url = set_url(world["priya"])
    auth.login("t1@example.org")
    client.post(url + "/claim")
    saved = client.post(url, data={f"w{work_id}-child-score": "meets", f"w{work_id}-overall_comment": "Draft note",
                                   f"w{work_id}-decision": "accept", "action": "save"},
                        headers={"Accept": "application/json"})
    assert saved.get_json() == {"saved": True, "sent": False}
    assert work_row(app, work_id).status == "in_review"
    page = client.get(url).get_data(as_text=True)
    assert f'<input checked form="set-form" id="w{work_id}-child-score-0" name="w{work_id}-child-score"' in page
    assert "Draft note</textarea>" in page


# ---------------------------------------------------------------- inline comments

def test_comments_anchor_to_spans_and_survive_a_reload(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(set_url(world["priya"]) + "/claim")
    p = f"w{work_id}-comment-"
    start = HARM_TEXT.index("bruises")
    # what the script sends after a selection: offsets plus the words
    client.post(f"/review/{work_id}/comments", data={p + "start": start, p + "end": start + 7,
                                                     p + "quote": "bruises", p + "body": "Where, how many?"})
    # without the script: only the quoted words; the second "Jayden"
    client.post(f"/review/{work_id}/comments", data={p + "quote": "Jayden", p + "occurrence": 2, p + "body": "Age?"})
    created = client.post(f"/review/{work_id}/comments",
                          json={"start": 0, "end": 6, "body": "Full name", "quote": "Marcus"},
                          headers={"Accept": "application/json"})
    assert created.status_code == 201 and created.get_json()["quote"] == "Marcus"
    bad = client.post(f"/review/{work_id}/comments", data={p + "quote": "hit him", p + "body": "?"},
                      follow_redirects=True)
    assert "Those words are not in the statement" in bad.get_data(as_text=True)

    with app.app_context():
        spans = sorted((c.start, c.end, c.quote) for c in db.session.scalars(select(InlineComment)))
    second_jayden = HARM_TEXT.index("Jayden", HARM_TEXT.index("Jayden") + 1)
    assert spans == [(0, 6, "Marcus"), (second_jayden, second_jayden + 6, "Jayden"), (start, start + 7, "bruises")]

    page = client.get(set_url(world["priya"])).get_data(as_text=True)
    assert f'<span data-start="{start}" class="seg seg--comment" title="Trainer comment">bruises</span>' in page
    assert "C3</a>" in page and "Where, how many?" in page


def test_removing_a_comment(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(set_url(world["priya"]) + "/claim")
    comment_id = client.post(f"/review/{work_id}/comments", json={"start": 0, "end": 6, "body": "Who?"},
                             headers={"Accept": "application/json"}).get_json()["id"]
    client.post(f"/review/{work_id}/comments/{comment_id}/delete")
    with app.app_context():
        assert db.session.scalar(select(InlineComment.id)) is None


def test_a_comment_after_the_decision_reaches_the_learner_as_a_notice(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    url = set_url(world["priya"])
    auth.login("t1@example.org")
    client.post(url + "/claim")
    client.post(url, data={**full_rubric(work_id), f"w{work_id}-decision": "accept", "action": "send"})
    page = client.get(url).get_data(as_text=True)
    assert "Every statement of this set is accepted" in page and "they get a notice" in page
    added = client.post(f"/review/{work_id}/comments", data={f"w{work_id}-comment-quote": "bruises",
                                                             f"w{work_id}-comment-body": "Well observed."},
                        follow_redirects=True)
    assert "The learner has a notice about it." in added.get_data(as_text=True)
    with app.app_context():
        kinds = [n.kind for n in db.session.scalars(select(Notice).order_by(Notice.id))]
    assert kinds == ["accepted", "comment"]


# ---------------------------------------------------------------- comment bank

def test_comment_bank_save_insert_and_delete(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post("/review/bank", data={"text": "Say what the caregiver did, not a label."})
    assert "Say what the caregiver did, not a label." in client.get("/review/bank").get_data(as_text=True)
    with app.app_context():
        entry_id = db.session.scalar(select(CommentBankEntry.id))

    p = f"w{work_id}-comment-"
    client.post(set_url(world["priya"]) + "/claim")
    client.post(f"/review/{work_id}/comments", data={p + "quote": "neglected", p + "body": "",
                                                     p + "bank_entry": entry_id})
    client.post(f"/review/{work_id}/comments", data={p + "quote": "bruises", p + "body": "How many bruises?",
                                                     p + "save_to_bank": "y"})
    assert (client.post(f"/review/bank/{entry_id}/use").get_json()
            == {"text": "Say what the caregiver did, not a label."})
    client.post(set_url(world["priya"]), data={f"w{work_id}-overall_comment": "",
                                               f"w{work_id}-overall_bank": entry_id, "action": "save"})
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
    client.post(set_url(world["priya"]) + "/claim")
    client.post(f"/review/{work_id}/findings/1")
    assert "Marked not an issue" in client.get(set_url(world["priya"])).get_data(as_text=True)
    client.post(f"/review/{work_id}/findings/1")
    client.post(f"/review/{work_id}/findings/1")
    assert client.post(f"/review/{work_id}/findings/9").status_code == 404
    p = f"w{work_id}-missed-"
    client.post(f"/review/{work_id}/missed", data={p + "category": "passive_voice", p + "quote": "had bruises",
                                                   p + "note": "Who caused the bruises?"})
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
    client.post(set_url(world["priya"]) + "/claim")
    client.post(f"/review/{work_id}/comments", data={f"w{work_id}-comment-quote": "neglected",
                                                     f"w{work_id}-comment-body": "Say what he did."})
    auth.logout()

    auth.login("priya@example.org")
    assert "No trainer has finished reviewing" in client.get(f"/review/mine/{work_id}").get_data(as_text=True)
    auth.logout()
    auth.login("t1@example.org")
    client.post(set_url(world["priya"]), data={**full_rubric(work_id), f"w{work_id}-decision": "accept",
                                               "action": "send"})
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
