"""Anonymous review: learners show as "Learner N" (stable per cohort) until the trainer reveals names."""
from __future__ import annotations

import pytest

from course.extensions import db
from course.models import Cohort
from tests.test_review import send_decisions, submit_work

NAMES = ("Priya Patelson", "Omar Okonkwo", "Ada Abernathy")
EMAILS = ("priya@example.org", "omar@example.org", "ada@example.org")


@pytest.fixture
def anon(app, factory):
    """An anonymous cohort with three learners (joined in order), each with submitted work."""
    trainer = factory.user("trainer", email="t1@example.org", name="Tara One")
    cohort = factory.cohort("Quiet cohort", trainer_id=trainer)
    with app.app_context():
        db.session.get(Cohort, cohort).anonymous_review = True
        db.session.commit()
    learners = [factory.user("learner", email=e, name=n, cohort_id=cohort) for n, e in zip(NAMES, EMAILS, strict=True)]
    works = [submit_work(app, uid) for uid in learners]
    return {"trainer": trainer, "cohort": cohort, "learners": learners, "works": works}


def _pages(client, anon) -> dict[str, str]:
    """Fetch every trainer page, JSON and CSV that could name a learner."""
    cid, work = anon["cohort"], anon["works"][0]
    urls = {
        "queue": "/review/", "queue json": "/review/queue.json",
        "review": f"/review/sets/{anon['learners'][0]}/hill-family", "statement": f"/review/{work}",
        "cohort": f"/cohorts/{cid}", "analytics": f"/review/cohorts/{cid}/analytics", "agreement": "/review/agreement",
        "progress csv": f"/review/cohorts/{cid}/progress.csv", "reviews csv": f"/review/cohorts/{cid}/reviews.csv",
        "queue by learner": f"/review/?learner={anon['learners'][1]}",
    }
    pages = {}
    for label, url in urls.items():
        response = client.get(url, follow_redirects=True)  # one statement's address opens its set
        assert response.status_code == 200, label
        pages[label] = response.get_data(as_text=True)
    return pages


def test_anonymous_mode_never_leaks_a_name(app, client, auth, anon):
    auth.login("t1@example.org")
    work = anon["works"][0]
    assert send_decisions(client, app, {work: "accept"}, "Fine.").status_code == 302
    pages = _pages(client, anon)
    for label, body in pages.items():
        for secret in NAMES + EMAILS + ("Priya", "Omar", "Ada"):
            assert secret not in body, f"{secret!r} leaked in {label}"
    assert "Learner 1" in pages["queue"] and "Learner 3" in pages["queue"]
    assert ({item["learner"] for item in client.get("/review/queue.json").get_json()["items"]}
            == {"Learner 2", "Learner 3"})
    assert pages["reviews csv"].splitlines()[1].startswith("Learner 1,")
    assert "Email" not in pages["progress csv"].splitlines()[0]


def test_revealing_names_shows_them_until_hidden_again(app, client, auth, anon):
    auth.login("t1@example.org")
    client.post(f"/review/cohorts/{anon['cohort']}/names", data={"reveal": "1"})
    assert "Priya Patelson" in client.get("/review/").get_data(as_text=True)
    assert "priya@example.org" in client.get(f"/review/cohorts/{anon['cohort']}/progress.csv").get_data(as_text=True)
    client.post(f"/review/cohorts/{anon['cohort']}/names", data={"reveal": "0"})
    assert "Priya Patelson" not in client.get("/review/").get_data(as_text=True)


def test_revealing_is_per_session(app, auth, client, anon):
    auth.login("t1@example.org")
    client.post(f"/review/cohorts/{anon['cohort']}/names", data={"reveal": "1"})
    other = app.test_client()
    other.post("/auth/login", data={"email": "t1@example.org", "password": "correct horse battery"})
    assert "Priya Patelson" not in other.get("/review/").get_data(as_text=True)


def test_aliases_stay_stable_when_a_learner_leaves(app, client, auth, anon):
    auth.login("t1@example.org")
    assert "Learner 3" in client.get("/review/").get_data(as_text=True)
    client.post(f"/cohorts/{anon['cohort']}/learners/{anon['learners'][0]}/remove")
    queue = client.get("/review/").get_data(as_text=True)
    assert "Learner 1" not in queue and "Learner 2" in queue and "Learner 3" in queue
