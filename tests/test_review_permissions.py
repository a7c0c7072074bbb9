"""Every review and cohort route refuses learners (403), trainers of other cohorts (404) and
other learners' requests for someone's own work (404), and changes nothing when it refuses."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from course.extensions import db
from course.models import Cohort, Work
from course.models.review import CommentBankEntry, GraderFeedback, InlineComment
from tests.test_review import submit_work


@pytest.fixture
def scene(app, client, auth, world):
    """T1 is mid-review of Priya's work in cohort A, with a comment, a missed problem and a bank entry."""
    work_id = submit_work(app, world["priya"])
    assert work_id == 1  # _call's review fields name work 1
    auth.login("t1@example.org")
    client.post(f"/review/sets/{world['priya']}/hill-family/claim")
    client.post(f"/review/{work_id}/comments", data={f"w{work_id}-comment-quote": "neglected",
                                                     f"w{work_id}-comment-body": "Which act?"})
    client.post(f"/review/{work_id}/missed", data={f"w{work_id}-missed-category": "other",
                                                   f"w{work_id}-missed-note": "x"})
    client.post("/review/bank", data={"text": "Saved comment"})
    auth.logout()
    with app.app_context():
        ids = {
            "w": work_id, "c": world["a"], "u": world["priya"], "t": world["t2"],
            "comment": db.session.scalar(select(InlineComment.id)),
            "missed": db.session.scalar(select(GraderFeedback.id)),
            "entry": db.session.scalar(select(CommentBankEntry.id)),
        }
    return {**world, **ids}


def cohort_and_work_routes(s) -> list[tuple[str, str, str]]:
    """(method, url, endpoint) for every route tied to cohort A or to Priya's work."""
    w, c = s["w"], s["c"]
    one_set = f"/review/sets/{s['u']}/hill-family"
    return [
        ("POST", f"{one_set}/claim", "review.claim_set"),
        ("POST", f"{one_set}/release", "review.release_set"),
        ("GET", one_set, "review.set_screen"),
        ("POST", one_set, "review.set_screen"),
        ("GET", f"/review/{w}", "review.work"),
        ("POST", f"/review/{w}/comments", "review.add_inline_comment"),
        ("POST", f"/review/{w}/comments/{s['comment']}/delete", "review.delete_inline_comment"),
        ("POST", f"/review/{w}/findings/1", "review.toggle_finding"),
        ("POST", f"/review/{w}/missed", "review.add_missed_problem"),
        ("POST", f"/review/{w}/missed/{s['missed']}/delete", "review.delete_missed_problem"),
        ("POST", f"/review/bank/{s['entry']}/delete", "review.delete_bank_entry"),
        ("POST", f"/review/bank/{s['entry']}/use", "review.use_bank_comment"),
        ("GET", f"/review/cohorts/{c}/analytics", "review.cohort_analytics"),
        ("GET", f"/review/cohorts/{c}/progress.csv", "review.progress_export"),
        ("GET", f"/review/cohorts/{c}/reviews.csv", "review.reviews_export"),
        ("POST", f"/review/cohorts/{c}/names", "review.reveal_names"),
        ("GET", f"/review/agreement?cohort={c}", "review.grader_agreement"),
        ("GET", f"/cohorts/{c}", "cohorts.show"),
        ("GET", f"/cohorts/{c}/edit", "cohorts.edit"),
        ("POST", f"/cohorts/{c}/edit", "cohorts.edit"),
        ("GET", f"/cohorts/{c}/qr", "cohorts.qr"),
        ("POST", f"/cohorts/{c}/trainers", "cohorts.add_co_trainer"),
        ("POST", f"/cohorts/{c}/trainers/{s['t']}/remove", "cohorts.remove_co_trainer"),
        ("POST", f"/cohorts/{c}/learners/{s['u']}/remove", "cohorts.remove_cohort_learner"),
        ("POST", f"/cohorts/{c}/learners/{s['u']}/move", "cohorts.move_cohort_learner"),
        ("POST", f"/cohorts/{c}/code", "cohorts.rotate_code"),
        ("POST", f"/cohorts/{c}/invitations/99999/withdraw", "cohorts.withdraw_co_trainer_invitation"),
    ]


GENERAL_TRAINER_ROUTES = [
    ("GET", "/review/", "review.queue"), ("GET", "/review/queue.json", "review.queue_json"),
    ("GET", "/review/bank", "review.comment_bank"), ("POST", "/review/bank", "review.comment_bank"),
    ("GET", "/review/agreement", "review.grader_agreement"), ("GET", "/cohorts/", "cohorts.index"),
    ("GET", "/cohorts/new", "cohorts.new"), ("POST", "/cohorts/new", "cohorts.new"),
    ("GET", "/cohorts/invitations", "cohorts.invitations"),
    ("POST", "/cohorts/invitations/99999/accept", "cohorts.answer"),
]
LEARNER_ROUTES = {"review.my_feedback", "review.my_work_json"}


def _call(client, method, url):
    """Send a request with plausible form data (the review fields for work 1, the scene's work)."""
    data = {"w1-comment-quote": "Jayden", "w1-comment-body": "x", "w1-missed-category": "other", "text": "t",
            "name": "Renamed", "email": "t3@example.org", "target": "2", "reveal": "1",
            "w1-decision": "accept", "w1-overall_comment": "x", "action": "send"}
    return client.get(url) if method == "GET" else client.post(url, data=data)


def _state(app, s):
    """Return what a refused request must not change."""
    with app.app_context():
        work = db.session.get(Work, s["w"])
        cohort = db.session.get(Cohort, s["c"])
        return (work.status, work.claimed_by_id, db.session.scalar(select(InlineComment.id)),
                db.session.scalar(select(GraderFeedback.id)), db.session.scalar(select(CommentBankEntry.id)),
                cohort.name, cohort.join_code, sorted(t.id for t in cohort.trainers),
                sorted(e.user_id for e in cohort.enrollments))


def test_every_review_and_cohort_route_is_walked(app, scene):
    walked = {e for _, _, e in cohort_and_work_routes(scene) + GENERAL_TRAINER_ROUTES} | LEARNER_ROUTES
    registered = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ("review", "cohorts")}
    assert registered - walked == set(), "add the new routes to the permission walk"


def test_learners_get_403_on_trainer_routes(app, client, auth, scene):
    before = _state(app, scene)
    auth.login("priya@example.org")  # the author of the work herself
    for method, url, _ in cohort_and_work_routes(scene) + GENERAL_TRAINER_ROUTES:
        assert _call(client, method, url).status_code == 403, f"{method} {url}"
    assert _state(app, scene) == before


def test_trainers_of_other_cohorts_get_404(app, client, auth, scene):
    before = _state(app, scene)
    auth.login("t3@example.org")
    for method, url, _ in cohort_and_work_routes(scene):
        assert _call(client, method, url).status_code == 404, f"{method} {url}"
    assert _state(app, scene) == before
    queue = client.get("/review/").get_data(as_text=True)
    assert f"/review/sets/{scene['u']}/" not in queue and "Priya" not in queue
    assert client.get("/review/queue.json").get_json() == {"items": []}


def test_co_trainer_may_read_but_not_change_a_claimed_review(app, client, auth, scene):
    before = _state(app, scene)
    auth.login("t2@example.org")
    assert client.get(f"/review/sets/{scene['u']}/hill-family").status_code == 200
    for method, url, _ in cohort_and_work_routes(scene)[:11]:
        if method == "POST":
            _call(client, method, url)
    assert _state(app, scene) == before


def test_learners_see_only_their_own_work(app, client, auth, scene):
    auth.login("omar@example.org")
    assert client.get(f"/review/mine/{scene['w']}").status_code == 404
    assert client.get("/review/mine/99999").status_code == 404
    auth.logout()
    auth.login("t1@example.org")  # trainers use the review screen, not the learner page
    assert client.get(f"/review/mine/{scene['w']}").status_code == 404
    auth.logout()
    auth.login("priya@example.org")
    assert client.get(f"/review/mine/{scene['w']}").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, scene):
    for method, url, _ in cohort_and_work_routes(scene) + GENERAL_TRAINER_ROUTES:
        assert _call(client, method, url).status_code in (302, 401), f"{method} {url}"
    assert client.get("/review/my-work.json").status_code in (302, 401)


def test_admin_sees_every_cohort(app, client, auth, factory, scene):
    factory.user("admin", email="admin@example.org")
    auth.login("admin@example.org")
    assert client.get(f"/review/sets/{scene['u']}/hill-family").status_code == 200
    assert client.get(f"/cohorts/{scene['b']}").status_code == 200
    assert f"/review/sets/{scene['u']}/hill-family" in client.get("/review/").get_data(as_text=True)
