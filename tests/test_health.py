"""GET /healthz: reachable, writable, disk space; and a read-only or full database answers 503, not 500."""
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from course.extensions import db
from course.models.ratelimit import RateLimit
from tests.conftest import PASSWORD, Factory, make_app


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


# ---------------------------------------------------------------- a database that cannot write

def test_healthz_writes_nothing(app, client):
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimit)) == 0


@pytest.fixture
def read_only_app(tmp_path):
    """An app whose SQLite database was created normally, then opened read-only."""
    setup = make_app(tmp_path)
    factory = Factory(setup)
    email = factory.email(factory.user())
    with setup.app_context():
        db.engine.dispose()
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{tmp_path / 'test.sqlite3'}?mode=ro&uri=true")
    yield app, email
    with app.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_read_only_database_fails_health_and_sign_in_says_so(read_only_app):
    app, email = read_only_app
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["db"] == "read-only"
    assert client.get("/auth/login").status_code == 200  # reading still works
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert b"The site cannot save changes right now" in response.data


@pytest.fixture
def full_disk(tmp_path):
    """A real 4 MB tmpfs holding the database, filled up (needs root and permission to mount; skipped otherwise)."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                            capture_output=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip() or result.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> None:
    """Write a filler file until the disk refuses another byte."""
    with open(folder / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            pass


@pytest.mark.sqlite_only
def test_full_disk_fails_health_and_sign_in_says_so(full_disk):
    app = make_app(full_disk, SQLALCHEMY_DATABASE_URI=f"sqlite:///{full_disk / 'test.sqlite3'}")
    factory = Factory(app)
    email = factory.email(factory.user())
    _fill(full_disk)
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["db"] in {"disk-full", "read-only"}
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 503 and b"The site cannot save changes right now" in response.data
    with app.app_context():
        db.engine.dispose()
