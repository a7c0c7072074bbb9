"""Database helpers: SQLite tuning and small shared query helpers."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_listener_installed = False


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def _tune_sqlite(dbapi_connection, _record) -> None:
    """Use WAL and a busy timeout so several gunicorn workers can share one SQLite file."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_engine_events(app: Flask) -> None:
    """Install the SQLite connect hook once per process."""
    global _listener_installed
    if not _listener_installed:
        event.listen(Engine, "connect", _tune_sqlite)
        _listener_installed = True
