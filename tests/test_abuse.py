"""The outside probe's scripts, kept as tests: each attack must fail. Loops are bounded and every request
goes to loopback (a Werkzeug server in a thread, or gunicorn as the README runs it)."""
from __future__ import annotations

import re
import shlex
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from course.extensions import db
from course.models import User
from tests.conftest import PASSWORD, Factory, LiveServer, make_app

REPO = Path(__file__).resolve().parent.parent
HOUR_LIMITS = {"REGISTER_PER_CODE": 20, "REGISTER_PER_ADDRESS": 1000, "JOIN_CODE_GUESSES_PER_ADDRESS": 20}


def _login(client, email, password, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/auth/login", data={"email": email, "password": password}, headers=headers)


# ---------------------------------------------------------------- 4: locking a victim out from elsewhere

def test_guessing_from_many_addresses_never_locks_out_the_real_user(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1)  # behind one proxy, as the README sets it up
    factory = Factory(app)
    victim = factory.email(factory.user())
    attacker = app.test_client()
    statuses = [_login(attacker, victim, f"guess number {n}", f"203.0.113.{1 + n % 10}").status_code
                for n in range(120)]
    assert statuses.count(401) <= 10 * app.config["LOGIN_MAX_FAILURES"]  # each address got its few tries
    assert 429 in statuses
    assert _login(app.test_client(), victim, PASSWORD, "198.51.100.20").status_code == 302  # the user, at home
    assert _login(app.test_client(), victim, PASSWORD, "198.51.100.21").status_code == 302  # and on their phone


def test_a_correct_password_from_a_clean_address_goes_through_a_spraying_address(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1, LOGIN_ADDRESS_MAX_FAILURES=30)
    factory = Factory(app)
    emails = [factory.email(factory.user()) for _ in range(3)]
    sprayer = app.test_client()
    statuses = [_login(sprayer, f"someone{n}@example.org", "Summer2026!", "203.0.113.9").status_code for n in range(40)]
    assert statuses[:30] == [401] * 30 and set(statuses[30:]) == {429}  # the address is capped across accounts
    for email in emails:
        assert _login(app.test_client(), email, PASSWORD, "198.51.100.30").status_code == 302


# ---------------------------------------------------------------- 11: the race in the sign-in limit

@pytest.fixture
def live(tmp_path):
    app = make_app(tmp_path)
    server = LiveServer(app).start()
    yield app, server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def _post_form(url: str, fields: dict) -> int:
    """POST a form with urllib and return the status code (no redirects followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    data = urllib.parse.urlencode(fields).encode()
    try:
        request = urllib.request.Request(url, data=data)
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_forty_parallel_wrong_guesses_let_at_most_the_limit_through(live):
    app, server = live
    email = Factory(app).email(Factory(app).user())
    barrier = threading.Barrier(40)

    def guess(n):
        barrier.wait()
        return _post_form(f"{server.url}/auth/login", {"email": email, "password": f"wrong guess {n}"})

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(guess, range(40)))
    checked = statuses.count(401)  # a 401 means the password was actually tried
    assert checked <= app.config["LOGIN_MAX_FAILURES"], statuses
    assert checked + statuses.count(429) == 40, statuses


# ---------------------------------------------------------------- 9 and 12: registration floods and join-code guessing

def _register(client, code, n, address="203.0.113.50"):
    return client.post("/auth/register", headers={"X-Forwarded-For": address}, data={
        "join_code": code, "display_name": f"Flood {n}", "email": f"flood{n}@example.org",
        "password": PASSWORD, "confirm": PASSWORD})


def test_a_registration_flood_with_one_code_is_stopped(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1, **HOUR_LIMITS)
    Factory(app).cohort(code="FLOOD1")
    client = app.test_client()
    statuses = [_register(client, "FLOOD1", n, f"203.0.113.{n % 200}").status_code for n in range(100)]
    assert statuses.count(302) == HOUR_LIMITS["REGISTER_PER_CODE"] and statuses.count(429) == 80
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == HOUR_LIMITS["REGISTER_PER_CODE"]


def test_registrations_from_one_address_are_capped(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1, REGISTER_PER_ADDRESS=5, REGISTER_PER_CODE=1000)
    Factory(app).cohort(code="FLOOD1")
    statuses = [_register(app.test_client(), "FLOOD1", n).status_code for n in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert _register(app.test_client(), "FLOOD1", 99, "198.51.100.1").status_code == 302  # another network


def test_guessing_join_codes_is_throttled_per_address(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1, **HOUR_LIMITS)
    Factory(app).cohort(code="REAL22")
    client = app.test_client()
    statuses = [_register(client, f"GUES{n:02d}", n).status_code for n in range(25)]
    assert statuses[:20] == [400] * 20 and set(statuses[20:]) == {429}
    response = _register(client, "REAL22", 30)
    assert response.status_code == 429 and b"Too many wrong join codes" in response.data  # no oracle for the right one
    assert _register(app.test_client(), "REAL22", 31, "198.51.100.2").status_code == 302


# ---------------------------------------------------------------- 12: screen codes (a classroom shares one address)

@pytest.fixture
def classroom(tmp_path):
    app = make_app(tmp_path, SCREEN_CODE_GUESSES_PER_ATTEMPT=5, SCREEN_CODE_GUESSES_GLOBAL=12)
    factory = Factory(app)
    trainer = factory.user("trainer", "screen.trainer@example.org")
    cohort_id = factory.cohort("Screen cohort", "SCRN01", trainer)
    from course.classroom.services import start_session
    from course.models import Cohort

    with app.app_context():
        session = start_session(db.session.get(User, trainer), db.session.get(Cohort, cohort_id), 1, "harm-statements")
        db.session.commit()
        code = session.screen_code
    return app, code


def _wrong_codes(code: str, count: int) -> list[str]:
    """Return `count` codes that are not the session's (and not each other)."""
    return [c for c in (f"ZZ{n:04d}" for n in range(count + 1)) if c != code][:count]


def test_screen_code_guesses_are_limited_per_projector_browser(classroom):
    app, code = classroom
    guesser = app.test_client()
    statuses = [guesser.post("/classroom/screen", data={"code": wrong}).status_code for wrong in _wrong_codes(code, 7)]
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    refused = guesser.post("/classroom/screen", data={"code": code})
    assert refused.status_code == 429  # right or wrong, the answer is the same while refused


def test_screen_code_guesses_are_limited_across_the_site(classroom):
    app, code = classroom
    projector = app.test_client()
    assert projector.post("/classroom/screen", data={"code": code}).status_code == 302  # opened before the attack
    for wrong in _wrong_codes(code, 14):  # every guess from a fresh cookie-less browser
        app.test_client().get(f"/classroom/screen/{wrong}/state")
    assert app.test_client().get(f"/classroom/screen/{code}/state").status_code == 429  # no oracle for new browsers
    assert app.test_client().post("/classroom/screen", data={"code": code}).status_code == 429
    assert projector.get(f"/classroom/screen/{code}/state").status_code == 200  # the room keeps working
    trainer = app.test_client()
    trainer.post("/auth/login", data={"email": "screen.trainer@example.org", "password": PASSWORD})
    assert trainer.post("/classroom/screen", data={"code": code}).status_code == 302  # the cohort's trainer gets in


# ---------------------------------------------------------------- 13: deep JSON on every JSON route

def _post_rules(app):
    return sorted({(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules() if "POST" in rule.methods})


@pytest.mark.parametrize("depth", [400, 989, 1000])
def test_deep_json_gets_a_400_on_every_post_route(tmp_path, depth):
    from tests.test_security_matrix import _url, build_world

    world = build_world(tmp_path)
    body = "[" * depth + "]" * depth
    nested_object = '{"text": ' * depth + '"x"' + "}" * depth
    clients = {"anonymous": world.app.test_client()}
    for role in ("learner", "admin"):
        clients[role] = world.app.test_client()
        clients[role].post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
    failures = []
    for endpoint, rule_text in _post_rules(world.app):
        rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
        url = _url(world, rule)
        for role, client in clients.items():
            for payload in (body, nested_object):
                response = client.post(url, data=payload, content_type="application/json")
                message = (response.get_json(silent=True) or {}).get("error", "")
                if response.status_code != 400 or "nested more than" not in message:
                    failures.append(f"{role} POST {url}: {response.status_code} {message[:80]!r}")
    assert not failures, "\n".join(failures[:20])


# ---------------------------------------------------------------- 10: enumeration by message and by work

def _page(response, *emails) -> str:
    text = re.sub(r'(name="csrf-token" content|name="csrf_token" type="hidden" value)="[^"]*"', r'\1=""',
                  response.get_data(as_text=True))
    for email in emails:
        text = text.replace(email, "X")
    return text


def test_sign_in_says_the_same_for_an_unknown_email_and_a_wrong_password(app, factory):
    email = factory.email(factory.user())
    known = _login(app.test_client(), email, "not the password")
    unknown = _login(app.test_client(), "nobody@example.org", "not the password")
    assert known.status_code == unknown.status_code == 401
    assert _page(known, email) == _page(unknown, "nobody@example.org")


def test_sign_in_hashes_once_whether_or_not_the_email_exists(app, factory, monkeypatch):
    import course.auth.services as services
    import course.models.users as users

    calls = []
    for module in (services, users):
        real = module.check_password_hash
        monkeypatch.setattr(module, "check_password_hash", lambda h, p, real=real: calls.append(h) or real(h, p))
    email = factory.email(factory.user())
    _login(app.test_client(), email, "not the password")
    _login(app.test_client(), "nobody@example.org", "not the password")
    assert len(calls) == 2  # one real check, one against a dummy hash made with the same method
    assert calls[0].split("$")[0] == calls[1].split("$")[0]


def test_registration_does_not_say_an_email_already_exists(app, factory):
    factory.cohort(code="TEST01")
    factory.user(email="taken@example.org")
    response = app.test_client().post("/auth/register", data={
        "join_code": "TEST01", "display_name": "Someone", "email": "taken@example.org",
        "password": PASSWORD, "confirm": PASSWORD})
    text = response.get_data(as_text=True)
    assert "already exists" not in text and "sign in, or reset your password" in text


def test_a_reset_request_reads_the_same_for_any_address(app, factory):
    email = factory.email(factory.user())
    known = app.test_client().post("/auth/reset", data={"email": email})
    unknown = app.test_client().post("/auth/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert _page(known, email) == _page(unknown, "nobody@example.org")


# ---------------------------------------------------------------- 8: slow clients against the README's gunicorn

def readme_gunicorn_args() -> list[str]:
    """Return the gunicorn options of the README's production command (workers, worker class, threads)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^\.venv/bin/gunicorn (.+)$", readme, re.MULTILINE).group(1)
    args = shlex.split(command)
    wanted, keep = [], {"-w", "--workers", "-k", "--worker-class", "--threads", "--timeout"}
    for index, arg in enumerate(args):
        if arg in keep:
            wanted += [arg, args[index + 1]]
    return wanted


def _option(args: list[str], *names: str, default: str) -> str:
    for index, arg in enumerate(args):
        if arg in names:
            return args[index + 1]
    return default


@pytest.mark.slow
def test_half_open_sockets_beyond_workers_times_threads_do_not_stall_the_site(tmp_path):
    import os
    import subprocess
    import sys
    import time

    args = readme_gunicorn_args()
    workers = int(_option(args, "-w", "--workers", default="1"))
    threads = int(_option(args, "--threads", default="1"))
    url = f"sqlite:///{tmp_path / 'slow.sqlite3'}"
    make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)  # the schema
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, SECRET_KEY="slow-test", DATABASE_URL=url, SOP_GRADER_PRELOAD="false",
               SOP_SESSION_COOKIE_SECURE="false", SOP_INSTANCE_PATH=str(tmp_path))
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen([gunicorn, *args, "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=str(REPO), env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    sockets = []
    try:
        for _ in range(150):  # up to about 30 s for the workers to start
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        slow = workers * threads + 8
        for _ in range(slow):  # connected, and never a byte sent
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(1.0)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=45) as response:
            assert response.status == 200, f"{slow} half-open sockets against {workers}x{threads} stalled the site"
    finally:
        for sock in sockets:
            sock.close()
        process.terminate()
        process.wait(15)
        log.close()
