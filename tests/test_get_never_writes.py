"""GET never writes: every GET endpoint, fetched as every role, sends no INSERT, UPDATE or DELETE.

The statements are watched at the engine, so a write through any service, event receiver or helper
counts, whether it would have been committed or not. /healthz is the one named exception (it may
write and roll back to prove the database can write).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from course.extensions import db
from tests.conftest import PASSWORD
from tests.test_security_matrix import _rules, _url, build_world

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
ALLOWED = {"health.healthz"}
ROLES = ("anonymous", "learner", "trainer", "admin")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("get-writes"))
    yield world
    with world.app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_no_get_writes_to_the_database(world):
    app = world.app
    writes: list[str] = []
    current = {"where": ""}

    def watch(conn, cursor, statement, parameters, context, executemany):
        """Note every write statement and the request that sent it."""
        if WRITES.match(statement):
            writes.append(f"{current['where']}: {' '.join(statement.split()[:3])}")

    with app.app_context():
        engine = db.engine
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            client.post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
        clients[role] = client
    event.listen(engine, "before_cursor_execute", watch)
    fetched = 0
    try:
        for rule in _rules(app):
            if "GET" not in rule.methods or rule.endpoint in ALLOWED:
                continue
            url = _url(world, rule)
            for role, client in clients.items():
                current["where"] = f"GET {url} as {role}"
                assert client.get(url).status_code < 500, current["where"]
                fetched += 1
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert fetched > 200, "too few pages were fetched for the check to mean anything"
    assert not writes, "GET requests wrote to the database:\n" + "\n".join(sorted(set(writes)))


def test_the_watch_sees_a_write(world):
    """The watch itself catches a write (so an empty list above means something)."""
    seen = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if WRITES.match(statement):
            seen.append(statement)

    with world.app.app_context():
        event.listen(db.engine, "before_cursor_execute", watch)
        try:
            client = world.app.test_client()
            client.post("/auth/login", data={"email": world.emails["learner"], "password": PASSWORD})
            client.post("/exercises/hill-family/write/danger/1/autosave", json={"text": "A draft.", "revision": 0})
        finally:
            event.remove(db.engine, "before_cursor_execute", watch)
    assert any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in seen)
