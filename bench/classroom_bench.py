"""Benchmark classroom mode: 40 phones (joined with the live code only), a console and a projector polling a real
server for 60 s.

Reports p50/p95 delay from a learner's submit to the console seeing the response, and from
the console's reveal to the projector showing it, plus request counts and errors.

    .venv/bin/python bench/classroom_bench.py                 # starts gunicorn on a temp SQLite DB
    .venv/bin/python bench/classroom_bench.py --workers 3 --threads 4 --learners 40 --seconds 60
    .venv/bin/python bench/classroom_bench.py --url http://host:8000 --trainer t@x --password ... --cohort-code ABC123
"""
from __future__ import annotations

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench password 2027"
POLL = 0.7


class Stats:
    """Thread-safe counters and delay samples."""

    def __init__(self):
        self.lock = threading.Lock()
        self.status = Counter()
        self.errors: list[str] = []
        self.submit_delays: list[float] = []
        self.reveal_delays: list[float] = []

    def record(self, response: requests.Response | None, error: str | None = None) -> None:
        """Count one request's outcome."""
        with self.lock:
            if error:
                self.status["exception"] += 1
                self.errors.append(error)
            else:
                self.status[response.status_code] += 1
                if response.status_code >= 400:
                    self.errors.append(f"{response.request.method} {response.url} -> {response.status_code}")


def csrf_from(html: str) -> str:
    """Return the CSRF token from a page's meta tag."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def signed_in(base: str, email: str) -> requests.Session:
    """Return a session signed in through the real login form."""
    http = requests.Session()
    page = http.get(f"{base}/auth/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.text)
    res = http.post(f"{base}/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
                    allow_redirects=False)
    if res.status_code != 302:
        raise RuntimeError(f"login failed for {email}: {res.status_code}")
    return http


def joined(base: str, join_code: str, name: str) -> requests.Session:
    """Return a phone (no account) that joined the live session with its code through the real join form."""
    http = requests.Session()
    page = http.get(f"{base}/live/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    res = http.post(f"{base}/live/", data={"code": join_code, "name": name, "csrf_token": token},
                    allow_redirects=False)
    if res.status_code != 302:
        raise RuntimeError(f"join failed for {name}: {res.status_code}")
    return http


class Poller(threading.Thread):
    """Poll a state URL every 0.7 s with If-None-Match, handing fresh states to a callback."""

    def __init__(self, http, url, stats, stop, on_state):
        super().__init__(daemon=True)
        self.http, self.url, self.stats, self.stop, self.on_state = http, url, stats, stop, on_state

    def run(self):
        etag = None
        time.sleep(random.random() * POLL)  # spread the room's polls like real phones
        while not self.stop.is_set():
            try:
                res = self.http.get(self.url, headers={"If-None-Match": etag} if etag else {}, timeout=10)
                self.stats.record(res)
                if res.status_code == 200:
                    etag = res.headers.get("ETag")
                    self.on_state(res.json(), time.monotonic())
            except Exception as exc:  # counted, and the poll goes on like the browser's
                self.stats.record(None, repr(exc))
            self.stop.wait(POLL)


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


# ---------------------------------------------------------------- a local server

def free_port() -> int:
    """Return a free TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(env: dict, learners: int) -> str:
    """Create the tables, a trainer, a cohort and the learners; return the cohort id."""
    code = f"""
import os
from course import create_app
from course.extensions import db
from course.auth.services import create_user, enroll
from course.models import Cohort, Role
app = create_app()
with app.app_context():
    db.create_all()
    trainer = create_user("trainer@bench.test", "Bench Trainer", {PASSWORD!r}, Role.TRAINER)
    cohort = Cohort(name="Bench cohort", join_code="BENCH1")
    cohort.trainers.append(trainer)
    db.session.add(cohort)
    db.session.flush()
    for i in range({learners}):
        enroll(create_user(f"learner{{i}}@bench.test", f"Bench Learner {{i}}", {PASSWORD!r}, Role.LEARNER), cohort)
    db.session.commit()
    print(cohort.id)
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def start_server(workers: int, threads: int, learners: int) -> tuple[subprocess.Popen, str, str, Path]:
    """Start gunicorn on a temporary SQLite database; return (process, url, cohort id, temp dir)."""
    tmp = Path(tempfile.mkdtemp(prefix="classroom-bench-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}", SECRET_KEY="bench-secret",
               SOP_INSTANCE_PATH=str(tmp / "instance"), SOP_SESSION_COOKIE_SECURE="false",
               SOP_REMEMBER_COOKIE_SECURE="false")
    cohort_id = seed(env, learners)
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen([gunicorn, "-k", "gthread", "-w", str(workers), "--threads", str(threads), "-b",
                             f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(tmp / "gunicorn.log", "w"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/auth/login", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        proc.terminate()
        raise RuntimeError(f"gunicorn did not start; see {tmp / 'gunicorn.log'}")
    return proc, url, cohort_id, tmp


# ---------------------------------------------------------------- the run

def run(base: str, cohort_id: str, trainer: str, learners: int, seconds: float) -> Stats:
    """Drive one session: learners submit drafts, the console reveals them on the projector."""
    stats, stop = Stats(), threading.Event()
    console = signed_in(base, trainer)
    page = console.get(f"{base}/classroom/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    res = console.post(
        f"{base}/classroom/sessions",
        data={"cohort_id": cohort_id, "day": 1, "module_id": "welcome", "day_start": "09:00", "csrf_token": token},
        allow_redirects=False,
    )
    session_url = res.headers["Location"]
    page = console.get(base + session_url if session_url.startswith("/") else session_url)
    console.headers["X-CSRFToken"] = csrf_from(page.text)
    session_id = session_url.rstrip("/").split("/")[-1]
    screen_code = re.search(r'id="screen-code">([A-Z0-9]+)<', page.text).group(1)
    join_code = re.search(r'id="join-code">([A-Z0-9]+)<', page.text).group(1)
    control = f"{base}/classroom/sessions/{session_id}/control"
    assert console.post(control, json={"action": "start_activity", "kind": "statement", "statement_kind": "harm",
                                       "vignette": "hill-family"}).ok

    submitted: dict[str, float] = {}  # text marker -> monotonic time of the submit
    seen_console: set[str] = set()
    reveal_target = {"label": None, "at": None}
    lock = threading.Lock()

    def on_console(state, now):
        for r in (state.get("activity") or {}).get("responses", []):
            marker = r["text"].split("|")[-1].strip()
            with lock:
                if marker in submitted and marker not in seen_console:
                    seen_console.add(marker)
                    stats.submit_delays.append(now - submitted[marker])

    def on_screen(state, now):
        shown = {s["label"] for s in (state.get("activity") or {}).get("wall", []) if s.get("marks")}
        with lock:
            if reveal_target["at"] is not None and reveal_target["label"] in shown:
                stats.reveal_delays.append(now - reveal_target["at"])
                reveal_target["at"] = None

    pollers = [Poller(console, f"{base}/classroom/sessions/{session_id}/state", stats, stop, on_console),
               Poller(requests.Session(), f"{base}/classroom/screen/{screen_code}/state", stats, stop, on_screen)]
    learner_http = []
    for i in range(learners):
        http = joined(base, join_code, f"Phone {i}")
        http.headers["X-CSRFToken"] = csrf_from(http.get(f"{base}/live/{join_code}").text)
        learner_http.append(http)
        pollers.append(Poller(http, f"{base}/live/{join_code}/state", stats, stop, lambda s, t: None))
    for p in pollers:
        p.start()
    activity_id = console.get(f"{base}/classroom/sessions/{session_id}/state").json()["activity"]["id"]

    def learner(i: int, http: requests.Session):
        """Submit a first draft and a revision at random moments, retrying the same key once."""
        rng = random.Random(i)
        for version in (1, 2):
            stop.wait(rng.uniform(2, seconds * 0.45))
            if stop.is_set():
                return
            marker = f"L{i}v{version}"
            body = {"activity_id": activity_id, "submit_key": f"bench-{i}-{version}-key",
                    "text": f"On Saturday Marcus grabbed Jayden (7) by the arm and Jayden hit the wall. | {marker}"}
            with lock:
                submitted[marker] = time.monotonic()
            for _attempt in range(2):  # the second send is a retry: it must not duplicate
                try:
                    stats.record(http.post(f"{base}/live/{join_code}/respond", json=body, timeout=30))
                except Exception as exc:
                    stats.record(None, repr(exc))

    submitters = [threading.Thread(target=learner, args=(i, h), daemon=True) for i, h in enumerate(learner_http)]
    for t in submitters:
        t.start()

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        stop.wait(1.5)
        with lock:
            waiting = reveal_target["at"] is not None and time.monotonic() - reveal_target["at"] < 5
        if waiting:  # one reveal at a time, so each delay is measured cleanly
            continue
        queue = console.get(f"{base}/classroom/sessions/{session_id}/state").json()["activity"]["responses"]
        candidates = [r for r in queue if not r["marks_shown"] and r["marks"]]
        if not candidates:
            continue
        pick = candidates[0]
        stats.record(
            console.post(control, json={"action": "activity.spotlight", "response_id": pick["id"], "value": True})
        )
        with lock:
            reveal_target.update(label=pick["label"], at=time.monotonic())
        stats.record(console.post(control, json={"action": "activity.marks", "response_id": pick["id"], "value": True}))
    stop.set()
    for t in pollers + submitters:
        t.join(timeout=15)
    final = console.get(f"{base}/classroom/sessions/{session_id}/state").json()["activity"]
    stats.final_responses = len(final["responses"])
    stats.final_revisions = sum(r["revision"] for r in final["responses"])
    stats.submitted = len(submitted)
    return stats


def main() -> int:
    """Parse arguments, run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="use a running server instead of starting gunicorn")
    parser.add_argument("--cohort-id", help="with --url: the cohort the trainer leads")
    parser.add_argument("--trainer", default="trainer@bench.test")
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    proc = None
    if args.url:
        base, cohort_id = args.url.rstrip("/"), args.cohort_id
    else:
        proc, base, cohort_id, tmp = start_server(args.workers, args.threads, args.learners)
        print(f"gunicorn gthread, {args.workers} workers x {args.threads} threads, SQLite at {tmp}")
    try:
        stats = run(base, cohort_id, args.trainer, args.learners, args.seconds)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    total = sum(stats.status.values())
    print(
        f"{args.learners} learners + console + projector, {args.seconds:.0f} s, {total} requests "
        f"({total / args.seconds:.0f}/s): " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.status.items(), key=str))
    )
    print(f"submissions: {stats.submitted} sent (each sent twice with the same key) -> "
          f"{stats.final_responses} responses, {stats.final_revisions} revisions in the console")
    print(f"submit -> console sees it: p50 {percentile(stats.submit_delays, 50):.0f} ms, "
          f"p95 {percentile(stats.submit_delays, 95):.0f} ms (n={len(stats.submit_delays)})")
    print(f"reveal -> projector shows it: p50 {percentile(stats.reveal_delays, 50):.0f} ms, "
          f"p95 {percentile(stats.reveal_delays, 95):.0f} ms (n={len(stats.reveal_delays)})")
    errors = [e for e in stats.errors]
    print(f"errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
