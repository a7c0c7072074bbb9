"""Shared fixtures: an app on a temporary SQLite database, a client, a CLI runner, auth helpers,
a live server in a thread and a headless Chromium page (flaskr pattern)."""
from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from hypothesis import settings

from course import create_app
from course.auth.services import create_user, enroll
from course.extensions import db
from course.models import Cohort, Role, User

# The grader fixtures (the session-scoped spaCy pipeline) for every test module that asks for them.
pytest_plugins = ["tests.grader_fixtures"]

# CI replays the same examples every run (derandomize); a local run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

PASSWORD = "correct horse battery"
# One round of PBKDF2: tests create and sign in hundreds of users, and the hash strength is not under test.
TEST_HASH = "pbkdf2:sha256:1"
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"


def make_app(tmp_path: Path, **overrides):
    """Create an app on a fresh SQLite file inside tmp_path, with tables created."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": os.environ.get("SOP_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "GRADER_PRELOAD": False,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": TEST_HASH,
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        if os.environ.get("SOP_TEST_DATABASE_URL"):
            reset_server_database()
        else:
            db.create_all()
    return app


def reset_server_database() -> None:
    """Give a test a clean shared server database: empty every table (fast), or rebuild the schema."""
    from sqlalchemy import inspect, text

    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        existing = set(inspect(connection).get_table_names())
        if existing >= set(db.metadata.tables):
            names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
    db.drop_all()
    db.create_all()


@pytest.fixture
def app(tmp_path):
    """An app on a temporary database, with CSRF off for plain form tests."""
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF protection on, as in production."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


class Factory:
    """Creates users and cohorts directly in the database for tests."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def user(
        self, role: str = "learner", email: str | None = None, name: str | None = None, cohort_id: int | None = None
    ) -> int:
        """Create a user (enrolled in a cohort when given) and return their id."""
        self.count += 1
        email = email or f"{role}{self.count}@example.org"
        with self.app.app_context():
            user = create_user(email, name or f"{role.title()} {self.count}", PASSWORD, Role(role))
            if cohort_id is not None:
                cohort = db.session.get(Cohort, cohort_id)
                if role == "learner":
                    enroll(user, cohort)
                else:
                    cohort.trainers.append(user)
            db.session.commit()
            return user.id

    def cohort(self, name: str = "Test cohort", code: str | None = None, trainer_id: int | None = None) -> int:
        """Create a cohort and return its id."""
        self.count += 1
        with self.app.app_context():
            cohort = Cohort(name=name, join_code=code or f"TEST{self.count:02d}")
            if trainer_id:
                cohort.trainers.append(db.session.get(User, trainer_id))
            db.session.add(cohort)
            db.session.commit()
            return cohort.id

    def email(self, user_id: int) -> str:
        """Return a user's email."""
        with self.app.app_context():
            return db.session.get(User, user_id).email


@pytest.fixture
def factory(app):
    """Create users and cohorts for a test."""
    return Factory(app)


class AuthActions:
    """Sign in and out through the real views."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD, follow_redirects: bool = False):
        """Sign in with the given email."""
        return self._client.post(
            "/auth/login", data={"email": email, "password": password}, follow_redirects=follow_redirects
        )

    def logout(self):
        """Sign out."""
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    """Sign-in helper bound to the test client."""
    return AuthActions(client)


# ---------------------------------------------------------------- browser tests

def _free_port() -> int:
    """Return a free TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app served by Werkzeug in a background thread."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()


@pytest.fixture
def live_app(tmp_path):
    """An app for a live server: CSRF on, grader preloaded as in production."""
    return make_app(tmp_path, WTF_CSRF_ENABLED=True)


@pytest.fixture
def live_server(live_app):
    """A running server for browser tests."""
    server = LiveServer(live_app).start()
    yield server
    server.stop()


CHROMIUM = os.environ.get("SOP_CHROMIUM", "/usr/bin/chromium")


def _browser_unavailable_reason() -> str | None:
    """Return why browser tests cannot run here, or None when they can."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by the session's browser tests."""
    reason = _browser_unavailable_reason()
    if reason:
        if os.environ.get("SOP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SOP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's result so browser fixtures can save artifacts on failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def new_context(browser, request):
    """Open browser contexts on demand; on failure save a screenshot and trace per context."""
    contexts = []

    def open_context(**kwargs):
        context = browser.new_context(**kwargs)
        context.tracing.start(screenshots=True, snapshots=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    safe_name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in request.node.nodeid)[-150:]
    for index, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page_index, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{safe_name}-{index}-{page_index}.png"), full_page=True)
                except Exception:  # a crashed page must not hide the real failure
                    pass
            context.tracing.stop(path=str(ARTIFACTS / f"{safe_name}-{index}-trace.zip"))
        else:
            context.tracing.stop()
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh desktop-sized context."""
    return new_context(viewport={"width": 1280, "height": 900}).new_page()


WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page and return the WCAG 2.1 A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response.get("violations", [])
    return [v for v in violations if WCAG_TAGS & set(v.get("tags", []))]


def format_violations(violations: list[dict]) -> str:
    """Describe violations readably for an assertion message."""
    lines = []
    for v in violations:
        targets = [", ".join(node.get("target", [])) for node in v.get("nodes", [])][:5]
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} -> {targets}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible():
    """Assert a page has no WCAG 2.1 A/AA violations according to axe-core."""

    def check(page, label: str = ""):
        violations = axe_violations(page)
        assert not violations, f"axe-core violations on {label or page.url}:\n{format_violations(violations)}"

    return check


def browser_login(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def live_factory(live_app):
    """Create users and cohorts in the live server's database."""
    return Factory(live_app)


@pytest.fixture
def world(app, factory):
    """The review world: cohort A (trainers T1, T2; learners Priya, Omar) and cohort B (trainer T3; learner Zoe)."""
    t1 = factory.user("trainer", email="t1@example.org", name="Tara One")
    t3 = factory.user("trainer", email="t3@example.org", name="Tess Three")
    a = factory.cohort("Cohort A", trainer_id=t1)
    b = factory.cohort("Cohort B", trainer_id=t3)
    t2 = factory.user("trainer", email="t2@example.org", name="Theo Two", cohort_id=a)
    priya = factory.user("learner", email="priya@example.org", name="Priya Patelson", cohort_id=a)
    omar = factory.user("learner", email="omar@example.org", name="Omar Okonkwo", cohort_id=a)
    zoe = factory.user("learner", email="zoe@example.org", name="Zoe Zimmer", cohort_id=b)
    return {"t1": t1, "t2": t2, "t3": t3, "a": a, "b": b, "priya": priya, "omar": omar, "zoe": zoe}


# ---------------------------------------------------------------- a real SMTP server for mail tests

class RecordingSMTPHandler:
    """An aiosmtpd handler that keeps every accepted message; `mode` and `delay` script failures."""

    def __init__(self):
        self.messages: list = []
        self.connections = 0
        self.mode = "accept"  # accept | tempfail (451) | reject (550)
        self.delay = 0.0

    def reset(self) -> None:
        """Forget messages and go back to accepting at once."""
        self.messages.clear()
        self.connections = 0
        self.mode, self.delay = "accept", 0.0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        """Count connections (every client greets first)."""
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        """Accept, defer or refuse the message as scripted."""
        import asyncio

        if self.delay:
            await asyncio.sleep(self.delay)
            return "451 4.3.2 Too slow, try again later"
        if self.mode == "tempfail":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "reject":
            return "550 5.1.1 No such mailbox"
        self.messages.append(envelope)
        return "250 2.0.0 Message accepted"

    def parsed(self) -> list:
        """Return the accepted messages as email.message.EmailMessage objects."""
        from email import policy
        from email.parser import BytesParser

        return [BytesParser(policy=policy.default).parsebytes(e.original_content or e.content) for e in self.messages]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port for the whole test session."""
    from aiosmtpd.controller import Controller

    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    """The session's SMTP server handler, emptied and accepting, for one test."""
    smtp_server.handler.reset()
    smtp_server.handler.port = smtp_server.port
    yield smtp_server.handler
    smtp_server.handler.reset()


def mail_config(smtp, **overrides) -> dict:
    """Settings that point the app at the test SMTP server, with test-sized delays."""
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
              "MAIL_SENDER": "SOP Foundations <no-reply@example.org>",
              "MAIL_TIMEOUT_SECONDS": 2.0, "MAIL_BACKOFF_SECONDS": 30.0, "MAIL_BACKGROUND": False}
    config.update(overrides)
    return config
