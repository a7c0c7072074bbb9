"""GET /healthz both ways."""
from sqlalchemy import create_engine

from course.extensions import db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["db"] == "ok"
    assert body["grader"] in {"ready", "loading", "idle"}  # a failed load is "unavailable": see test_grading


def test_healthz_reports_unreachable_database(app, tmp_path):
    with app.app_context():
        broken = create_engine(f"sqlite:///{tmp_path}/missing-dir/nope.sqlite3")
        db.engines[None] = broken  # the app now points at a database file that cannot be opened
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    assert response.get_json()["db"] == "unreachable"
