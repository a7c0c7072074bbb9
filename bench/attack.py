"""Attack benchmark: does the site still answer while 4 signed-in learners send pathological grades?

    .venv/bin/python bench/attack.py [--seconds 30] [--attackers 4] [--limiter off|on|both]

Runs the README's production command (the `.venv/bin/gunicorn ... wsgi:app` line under "Serving in
production", bound to a free loopback port instead) on a scratch SQLite database. Then, for each
setting of the grading rate limiter:
- 4 attackers (each its own learner account) post the pathological grade to /api/v1/grade in a
  loop: 5,000 characters of emoji and punctuation runs with no spaces, then a long unspaced token;
- meanwhile one more learner sends the same pathological grade, and a learner whose statement is a
  checked draft of 900 judgmental words loads its statement page, one after the other;
- it reports p50 / p95 / max for both against the target of 0.5 s, and what the attackers got.
"off" raises the grading limits out of reach (the intrinsic bound: what the grader and the page
cost); "on" uses the app's defaults. Every loop stops by itself after --seconds; all traffic goes
to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import REPO, Client, free_port, percentile, prepare_database  # noqa: E402

TARGET = 0.5
HEAVY_WORD = "lazy"  # judgmental, and short enough for 900 of them under the 5,000-character limit
STATEMENT = "/exercises/hill-family/write/harm/1"
LIMITS_OFF = {"SOP_GRADE_RATE_PER_USER": "1000000", "SOP_GRADE_RATE_PER_ADDRESS": "1000000"}


def pathological_text(length: int = 5000) -> str:
    """Return the attack text: emoji and punctuation runs with no spaces, then a long unspaced token."""
    run = ("\U0001F600\U0001F643\U0001F44D\U0001F3FD" * 700 + "...!!!???" * 120)[: length * 3 // 4]
    return (run + " " + "x" * length)[:length]


def heavy_draft(words: int = 900) -> str:
    """Return a draft of judgmental words (about 900), under the 5,000-character limit."""
    return " ".join([HEAVY_WORD] * words)


def readme_command(port: int) -> list[str]:
    """Return the README's production gunicorn command, bound to 127.0.0.1:port."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    line = next((ln.strip() for ln in readme.splitlines()
                 if ln.strip().startswith(".venv/bin/gunicorn") and ln.strip().endswith("wsgi:app")), None)
    if line is None:
        raise SystemExit("README.md has no '.venv/bin/gunicorn ... wsgi:app' line to run")
    args = shlex.split(line)
    for index, arg in enumerate(args):
        if arg in ("-b", "--bind"):
            args[index + 1] = f"127.0.0.1:{port}"
        elif arg.startswith("--bind="):
            args[index] = f"--bind=127.0.0.1:{port}"
    args[0] = str(Path(sys.executable).parent / "gunicorn")
    return args


class Server:
    """gunicorn as the README runs it, on loopback, with extra settings in its environment."""

    def __init__(self, database_url: str, extra_env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = readme_command(self.port)
        self.env = {**os.environ, "SECRET_KEY": "attack-bench", "DATABASE_URL": database_url,
                    "SOP_SESSION_COOKIE_SECURE": "false", "SOP_REMEMBER_COOKIE_SECURE": "false",
                    "SOP_LOGIN_MAX_FAILURES": "1000", **extra_env}
        self.log = Path(tempfile.gettempdir()) / f"sop-attack-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(self.command, cwd=str(REPO), env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if json.loads(response.read()).get("grader") == "ready":
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.5)
        self.__exit__()
        raise SystemExit(f"gunicorn did not become ready in 120 s; see {self.log}")

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def signed_in(url: str, email: str) -> Client:
    """Return a client signed in as the learner, holding a CSRF token."""
    client = Client(url)
    client.login(email)
    client.get(STATEMENT)
    return client


def grade(client: Client, text: str):
    """POST one grade request (timeout well past gunicorn's own)."""
    body = json.dumps({"kind": "harm", "text": text}).encode()  # no case: the text alone is the attack
    return client.request("POST", "/api/v1/grade", body, {"Content-Type": "application/json",
                                                         "Accept": "application/json",
                                                         "X-CSRFToken": client.csrf}, timeout=150)


def page(client: Client):
    """GET the heavy draft's statement page."""
    return client.request("GET", STATEMENT, headers={"Accept": "text/html"}, timeout=150)


def attack(url: str, email: str, text: str, stop_at: float, outcomes: collections.Counter, lock) -> None:
    """Send pathological grades until the time is up."""
    client = signed_in(url, email)
    while time.monotonic() < stop_at:
        response = grade(client, text)
        with lock:
            outcomes[response.status] += 1
        if response.status == 429:
            time.sleep(0.05)  # a refused attacker tries again at once, as a script would


def summary(label: str, samples: list) -> str:
    """Return one line: count, p50, p95, max and status codes of (seconds, status) samples."""
    seconds = [s for s, _ in samples]
    statuses = collections.Counter(status for _, status in samples)
    verdict = "ok" if seconds and percentile(seconds, 95) < TARGET else f"OVER {TARGET} s"
    return (f"  {label:<34} n={len(seconds):3d}  p50 {percentile(seconds, 50):7.3f} s  p95 "
            f"{percentile(seconds, 95):7.3f} s  max {max(seconds, default=float('nan')):7.3f} s  "
            f"statuses {dict(statuses)}  {verdict}")


def run_mode(mode: str, database_url: str, users: list[str], seconds: float, attackers: int, text: str) -> None:
    """Start the server with the limiter on or off and measure both requests under attack."""
    extra = LIMITS_OFF if mode == "off" else {}
    with Server(database_url, extra) as server:
        print(f"\nRate limiter {mode}: {' '.join(shlex.quote(a) for a in server.command[1:])}")
        victim, prober = signed_in(server.url, users[-1]), signed_in(server.url, users[-2])
        for _ in range(12):  # every worker compiles its templates and warms the grader once, untimed
            page(victim)
            grade(prober, text)
        idle_page = [(r.elapsed, r.status) for r in (page(victim) for _ in range(5))]
        idle_grade = [(r.elapsed, r.status) for r in (grade(prober, text) for _ in range(2))]
        print(summary("idle: heavy draft page", idle_page))
        print(summary("idle: pathological grade", idle_grade))
        outcomes: collections.Counter = collections.Counter()
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=attack, args=(server.url, users[i], text, stop_at, outcomes, lock),
                                    daemon=True) for i in range(attackers)]
        for thread in threads:
            thread.start()
        time.sleep(min(2.0, seconds / 4))  # let the attack reach the workers
        pages, grades = [], []
        while time.monotonic() < stop_at:
            response = page(victim)
            pages.append((response.elapsed, response.status))
            if time.monotonic() < stop_at:
                response = grade(prober, text)
                grades.append((response.elapsed, response.status))
        for thread in threads:
            thread.join(timeout=180)
        print(summary("under attack: heavy draft page", pages))
        print(summary("under attack: pathological grade", grades))
        print(f"  attackers ({attackers}) got: {dict(outcomes)} in {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--limiter", choices=["off", "on", "both"], default="both")
    args = parser.parse_args()

    from course.config import DEFAULTS

    folder = tempfile.mkdtemp(prefix="sop-attack-")
    database_url = f"sqlite:///{folder}/attack.sqlite3"
    users = prepare_database(database_url, learners=args.attackers + 2, instance_path=folder)["learners"]
    text, draft = pathological_text(), heavy_draft()
    print(f"Pathological grade: {len(text):,} characters; heavy draft: {len(draft.split())} judgmental words, "
          f"{len(draft):,} characters.")
    modes = ["off", "on"] if args.limiter == "both" else [args.limiter]
    if "on" in modes and "GRADE_RATE_PER_USER" not in DEFAULTS:
        print("This build has no grading rate limiter (no GRADE_RATE_PER_USER setting): 'on' is not measured.")
        modes = [m for m in modes if m != "on"] or ["off"]
    with Server(database_url, LIMITS_OFF) as server:  # the victim checks the heavy draft once, untimed
        victim = signed_in(server.url, users[-1])
        response = victim.request("POST", STATEMENT + "/check", json.dumps({"text": draft, "revision": 0}).encode(),
                                  {"Content-Type": "application/json", "Accept": "application/json",
                                   "X-CSRFToken": victim.csrf}, timeout=150)
        if response.status != 200:
            raise SystemExit(f"could not check the heavy draft: {response.status} {response.body[:300]!r}")
        findings = len(json.loads(response.body)["report"]["findings"])
        print(f"Heavy draft checked in {response.elapsed:.2f} s with {findings} findings.")
    for mode in modes:
        run_mode(mode, database_url, users, args.seconds, args.attackers, text)


if __name__ == "__main__":
    main()
