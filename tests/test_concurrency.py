"""A classroom at once: 40 learners autosave and submit against gunicorn with several workers.
Every acknowledged write must be in the database, nothing may answer 5xx, and killing a worker
mid-request must leave no partial submission. Runs on SQLite, and on PostgreSQL when
SOP_TEST_DATABASE_URL is set (CI does both)."""
from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from bench.harness import Client, GunicornServer, prepare_database

pytestmark = pytest.mark.slow
LEARNERS = 40
SAVES = 5
HARM_URL = "/exercises/hill-family/write/harm/1"


@pytest.fixture
def server(tmp_path):
    url = os.environ.get("SOP_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'load.sqlite3'}"
    accounts = prepare_database(url, LEARNERS, instance_path=str(tmp_path))
    gunicorn = GunicornServer(
        url, workers=4, threads=4, preload_grader=True, log_path=str(tmp_path / "gunicorn.log")
    ).start()
    yield gunicorn, accounts, url
    gunicorn.stop()


def _learner_session(base_url: str, email: str, results: dict, barrier: threading.Barrier) -> None:
    """Sign in, autosave a few times, then submit; record what the server acknowledged."""
    client = Client(base_url)
    client.login(email)
    statuses = []
    barrier.wait()  # everybody writes at the same moment
    revision, acknowledged = 0, None
    for number in range(1, SAVES + 1):
        draft = ("On Saturday night Marcus grabbed Jayden (7) by the arm; Jayden had a bruise. "
                 f"Draft {number} by learner {email[4:6]}.")
        response = client.post_json(f"{HARM_URL}/autosave", {"text": draft, "revision": revision})
        statuses.append(response.status)
        if response.status == 200:
            revision = response.json()["revision"]
            acknowledged = draft
    page = client.get("/exercises/hill-family/submit")
    statuses.append(page.status)
    fields = dict(re.findall(r'name="(rev_\d+)" value="(\d+)"', page.body.decode()))
    submit = client.post_form("/exercises/hill-family/submit", fields)
    statuses.append(submit.status)
    results[email] = {"text": acknowledged, "submitted": submit.status == 302, "statuses": statuses}


def _work_rows(url: str) -> dict[str, dict]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT u.email, w.id, w.draft_text, w.status, "
            "(SELECT COUNT(*) FROM work_versions v WHERE v.work_id = w.id AND v.source = 'submit') AS submits "
            "FROM works w JOIN users u ON u.id = w.user_id WHERE w.kind = 'harm'"
        )).mappings().all()
    engine.dispose()
    return {row["email"]: dict(row) for row in rows}


def test_forty_learners_autosave_and_submit_without_loss(server):
    gunicorn, accounts, url = server
    results: dict = {}
    barrier = threading.Barrier(LEARNERS, timeout=180)  # a learner whose sign-in failed breaks it, not hangs it
    with ThreadPoolExecutor(LEARNERS) as pool:
        futures = [
            pool.submit(_learner_session, gunicorn.url, email, results, barrier) for email in accounts["learners"]
        ]
        for future in futures:
            future.result()
    statuses = [s for r in results.values() for s in r["statuses"]]
    assert not [s for s in statuses if s >= 500 or s == 0], f"server errors: {sorted(set(statuses))}"
    rows = _work_rows(url)
    for email, result in results.items():
        assert result["text"] is not None, f"{email}: no autosave was acknowledged"
        row = rows[email]
        assert row["draft_text"] == result["text"], f"{email}: acknowledged text missing from the database"
        assert result["submitted"], f"{email}: submit did not succeed ({result['statuses']})"
        assert row["status"] == "submitted" and row["submits"] == 1, row


def test_killing_a_worker_leaves_no_partial_submission(server):
    gunicorn, accounts, url = server
    learners = accounts["learners"][:24]
    clients = {}
    for email in learners:
        client = Client(gunicorn.url)
        client.login(email)
        client.post_json(f"{HARM_URL}/autosave",
                         {"text": f"Marcus grabbed Jayden on Saturday night; learner {email[4:6]}.", "revision": 0})
        client.post_json("/exercises/hill-family/write/danger/1/autosave", {
            "text": "Dana is worried that when Marcus drinks he may grab Jayden and Jayden could break an arm; "
                    f"learner {email[4:6]}.",
            "revision": 0})
        page = client.get("/exercises/hill-family/submit")
        clients[email] = (client, dict(re.findall(r'name="(rev_\d+)" value="(\d+)"', page.body.decode())))
    barrier = threading.Barrier(len(learners) + 1, timeout=180)
    outcomes = {}

    def submit(email):
        client, fields = clients[email]
        barrier.wait()
        outcomes[email] = client.post_form("/exercises/hill-family/submit", fields).status

    with ThreadPoolExecutor(len(learners)) as pool:
        futures = [pool.submit(submit, email) for email in learners]
        barrier.wait()
        gunicorn.kill_worker()  # mid-flight: some submissions die with the worker
        for future in futures:
            future.result()
    engine = create_engine(url)
    with engine.connect() as connection:
        works = connection.execute(text(
            "SELECT w.id, w.user_id, w.status, "
            "(SELECT COUNT(*) FROM work_versions v WHERE v.work_id = w.id AND v.source = 'submit') AS submits "
            "FROM works w JOIN users u ON u.id = w.user_id WHERE u.email LIKE 'load%'"
        )).mappings().all()
    engine.dispose()
    by_user: dict[int, set] = {}
    for work in works:
        # a work is submitted exactly when it has its submit version: never one without the other
        assert (work["status"] == "submitted") == (work["submits"] == 1), dict(work)
        assert work["submits"] <= 1
        by_user.setdefault(work["user_id"], set()).add(work["status"])
    for statuses in by_user.values():
        assert len(statuses) == 1, f"a learner's set was half submitted: {statuses}"
    acknowledged = [email for email, status in outcomes.items() if status == 302]
    assert acknowledged, "no submission survived; the test did not exercise the server"
