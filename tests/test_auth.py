"""Registration, sign-in, sign-out, throttling, CSRF, safe redirects and the role decorator."""
import pytest
from flask import Blueprint
from sqlalchemy import select

from course.extensions import db
from course.models import User
from course.security import is_safe_next, roles_required
from tests.conftest import PASSWORD


def register(client, **overrides):
    data = {"join_code": "TEST01", "display_name": "Rosa Diaz", "email": "rosa@example.org",
            "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return client.post("/auth/register", data=data)


@pytest.fixture
def cohort(factory):
    return factory.cohort(code="TEST01")


def test_register_with_good_code_enrolls_and_signs_in(client, app, cohort):
    response = register(client, join_code=" test-01 ")
    assert response.status_code == 302 and response.location == "/"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rosa@example.org"))
        assert user.cohort.id == cohort
        assert user.role == "learner"
        assert user.password_hash != PASSWORD
    assert b"Welcome, Rosa Diaz" in client.get("/").data  # a new user is not welcomed back


def test_register_with_bad_code(client, cohort):
    response = register(client, join_code="NOPE99")
    assert response.status_code == 400
    assert b"No cohort has that join code" in response.data


def test_register_duplicate_email_says_what_to_do_without_saying_already_exists(client, factory, cohort):
    factory.user(email="rosa@example.org")
    response = register(client, email="ROSA@example.org")
    assert response.status_code == 400
    assert b"already exists" not in response.data
    assert b"If it is yours, sign in, or reset your password" in response.data


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", b"Use at least 10 characters"),
        ("aaaaaaaaaaaa", b"more than three different characters"),
        ("password123", b"list of common passwords"),
        ("Password123!", b"list of common passwords"),
        ("P@ssw0rd-2024", b"list of common passwords"),
        ("rosa-the-great-1", b"Do not include your email name"),
    ],
)
def test_register_weak_password(client, cohort, password, message):
    response = register(client, password=password, confirm=password)
    assert response.status_code == 400
    assert message in response.data
    assert b'aria-invalid="true"' in response.data  # the error is tied to the field


def test_register_passwords_must_match(client, cohort):
    response = register(client, confirm="something else entirely")
    assert b"The two passwords do not match" in response.data


def test_join_link_prefills_code(client, cohort):
    response = client.get("/auth/join/TEST01", follow_redirects=True)
    assert b'value="TEST01"' in response.data


def test_login_and_logout(client, auth, factory):
    email = factory.email(factory.user())
    response = auth.login(email)
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").status_code == 200
    auth.logout()
    assert b"Sign in" in client.get("/").data
    refused = client.get("/modules/anything")
    assert refused.status_code == 302 and refused.location == "/auth/login?next=%2Fmodules%2Fanything"


def test_login_wrong_password(auth, factory):
    email = factory.email(factory.user())
    response = auth.login(email, "not the password")
    assert response.status_code == 401
    assert b"do not match an active account" in response.data


def test_inactive_user_cannot_sign_in(app, auth, factory):
    uid = factory.user()
    with app.app_context():
        db.session.get(User, uid).active = False
        db.session.commit()
    response = auth.login(factory.email(uid))
    assert response.status_code == 403 and b"This account is switched off" in response.data
    assert auth.login(factory.email(uid), "a wrong password").status_code == 401  # nothing said without the password


def test_repeated_failures_pause_that_address_only(app, auth, factory):
    email = factory.email(factory.user())
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login(email, "wrong password here").status_code == 401
    response = auth.login(email)  # from the guessing address, even the right password waits
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert b"Too many failed sign-ins for this email from your network" in response.data
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert elsewhere.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/modules/harm-statements", True),
        ("/", True),
        ("//evil.example", False),
        ("https://evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
        ("/ok\r\nSet-Cookie: x", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_unsafe_next_is_refused(client, factory, target):
    email = factory.email(factory.user())
    response = client.post(f"/auth/login?next={target}", data={"email": email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.location == "/"


def test_safe_next_is_followed(client, factory):
    email = factory.email(factory.user())
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "next": "/cohorts/"})
    assert response.location == "/cohorts/"


def test_csrf_rejects_forms_without_token(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={"email": "x@example.org", "password": "whatever1234"})
    assert response.status_code == 400
    assert b"The form expired" in response.data


def test_csrf_token_accepted(csrf_app):
    import re

    client = csrf_app.test_client()
    page = client.get("/auth/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/auth/login", data={"email": "x@example.org", "password": "whatever1234", "csrf_token": token}
    )
    assert response.status_code == 401  # reached the view: wrong credentials, not a CSRF failure


@pytest.fixture
def role_app(app):
    bp = Blueprint("roletest", __name__)

    @bp.route("/trainer-only")
    @roles_required("trainer")
    def trainer_only():
        return "ok"

    @bp.route("/admin-only")
    @roles_required("admin")
    def admin_only():
        return "ok"

    app.register_blueprint(bp)
    return app


@pytest.mark.parametrize(
    "role, trainer_status, admin_status",
    [(None, 302, 302), ("learner", 403, 403), ("trainer", 200, 403), ("admin", 200, 200)],
)
def test_role_decorator(role_app, factory, role, trainer_status, admin_status):
    client = role_app.test_client()
    if role:
        client.post("/auth/login", data={"email": factory.email(factory.user(role)), "password": PASSWORD})
    assert client.get("/trainer-only").status_code == trainer_status
    assert client.get("/admin-only").status_code == admin_status


def test_a_learner_who_has_started_is_welcomed_back(client, app, cohort):
    from course.pilot.services import required_modules

    register(client)
    with app.app_context():
        first = required_modules()[0].id
    assert client.post(f"/modules/{first}/complete").status_code in (200, 302)
    assert b"Welcome back, Rosa Diaz" in client.get("/").data
