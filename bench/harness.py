"""Shared by load benchmarks and the concurrency tests: a real gunicorn server on a scratch
database, and simple HTTP clients that sign in and carry the CSRF token like a browser."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "classroom load test"


def free_port() -> int:
    """Return a free TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(database_url: str, learners: int = 40, instance_path: str | None = None) -> dict:
    """Create the schema and demo data, plus numbered learners and a trainer; return their emails."""
    sys.path.insert(0, str(REPO))
    from course import create_app
    from course.auth.services import create_user, enroll, find_user
    from course.demo import seed_demo
    from course.extensions import db
    from course.models import Cohort, Role

    if instance_path:
        os.environ["SOP_INSTANCE_PATH"] = instance_path
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url, "GRADER_PRELOAD": False}
    )
    with app.app_context():
        if database_url.startswith("postgresql"):
            from sqlalchemy import text

            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        seed_demo()
        cohort = db.session.query(Cohort).filter_by(join_code="DEMO26").one()
        emails = []
        for number in range(1, learners + 1):
            email = f"load{number:02d}@example.org"
            user = find_user(email) or create_user(email, f"Load Learner {number:02d}", PASSWORD, Role.LEARNER)
            enroll(user, cohort)
            emails.append(email)
        trainer = find_user("loadtrainer@example.org") or create_user(
            "loadtrainer@example.org", "Load Trainer", PASSWORD, Role.TRAINER
        )
        if trainer not in cohort.trainers:
            cohort.trainers.append(trainer)
        db.session.commit()
        db.engine.dispose()
    return {"learners": emails, "trainer": "loadtrainer@example.org", "cohort_code": "DEMO26"}


class GunicornServer:
    """The app under gunicorn with several workers, as in production."""

    def __init__(
        self,
        database_url: str,
        workers: int = 4,
        threads: int = 4,
        preload_grader: bool = True,
        log_path: str | None = None,
    ):
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
        self.preload_grader = preload_grader
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or f"/tmp/sop-gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 300) -> GunicornServer:
        """Start gunicorn and wait until /healthz answers (and the grader is ready, if preloading).

        The wait is generous: each worker loads spaCy, and on a shared, loaded machine that took over 90 s.
        """
        env = dict(os.environ)
        env.update({
            "SECRET_KEY": "bench-secret", "DATABASE_URL": self.database_url,
            "SOP_GRADER_PRELOAD": "true" if self.preload_grader else "false",
            "SOP_SESSION_COOKIE_SECURE": "false", "SOP_REMEMBER_COOKIE_SECURE": "false",
            "SOP_LOGIN_MAX_FAILURES": "1000",
        })
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [gunicorn, "-w", str(self.workers), "-k", "gthread", "--threads", str(self.threads),
             "-b", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5", "wsgi:app"],
            cwd=str(REPO), env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}:\n{Path(self.log_path).read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    body = json.loads(response.read())
                    if not self.preload_grader or body.get("grader") == "ready":
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not become healthy within {timeout}s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """Return the pids of the worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_worker(self) -> int:
        """SIGKILL one worker (gunicorn starts a replacement) and return its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        """Stop gunicorn."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Response:
    """What a request returned."""

    status: int
    body: bytes
    elapsed: float

    def json(self):
        """Decode the body as JSON."""
        return json.loads(self.body)


class Client:
    """A browser-like HTTP client: cookies, and the CSRF token from the last page it loaded."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.csrf = ""

    def request(
        self, method: str, path: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 60
    ) -> Response:
        """Send a request and return status, body and seconds taken (errors become status codes)."""
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            body, status = b"", 0  # connection dropped: counted as an error by callers
        elapsed = time.perf_counter() - started
        match = re.search(rb'name="csrf-token" content="([^"]+)"', body) if status == 200 else None
        if match:
            self.csrf = match.group(1).decode()
        return Response(status, body, elapsed)

    def get(self, path: str) -> Response:
        """GET a page (remembering its CSRF token)."""
        return self.request("GET", path, headers={"Accept": "text/html"})

    def post_form(self, path: str, fields: dict) -> Response:
        """POST a form with the CSRF token."""
        data = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self.request("POST", path, data, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, payload: dict) -> Response:
        """POST JSON with the CSRF header, as the pages' JavaScript does."""
        return self.request(
            "POST",
            path,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf},
        )

    def login(self, email: str, password: str = PASSWORD) -> None:
        """Sign in through the real form, or raise."""
        self.get("/auth/login")
        response = self.post_form("/auth/login", {"email": email, "password": password})
        if response.status != 302:
            raise RuntimeError(f"sign-in failed for {email}: {response.status}")
        self.get("/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Return redirects to the caller instead of following them."""

    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_302


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank) of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
