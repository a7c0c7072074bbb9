"""Revocable sessions, password change and reset, email verification, deactivation and the client address."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from course.database import utcnow
from course.extensions import db
from course.mail import outbox
from course.models import AccountToken, SignIn, User
from course.models.mail import MailMessage
from tests.conftest import PASSWORD, Factory, mail_config, make_app

NEW_PASSWORD = "kettle orbit maple lantern"


def login(client, email, password=PASSWORD, remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/auth/login", data=data)


def signed_in(client) -> bool:
    """Return whether the client's cookies still open a signed-in page."""
    return client.get("/auth/account").status_code == 200


def page_text(response, *emails: str) -> str:
    """Return a page's HTML without its per-session CSRF token and with the given emails blanked."""
    text = re.sub(r'(name="csrf-token" content|name="csrf_token" type="hidden" value)="[^"]*"', r'\1=""',
                  response.get_data(as_text=True))
    for email in emails:
        text = text.replace(email, "X")
    return text


def copy_cookies(source, target) -> None:
    """Give `target` the same cookies as `source` (a stolen or copied cookie jar)."""
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


@pytest.fixture
def user_email(factory):
    return factory.email(factory.user())


def test_get_id_carries_the_session_and_sign_in_tokens(app, client, user_email):
    login(client, user_email)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == user_email))
        rows = db.session.scalars(select(SignIn).where(SignIn.user_id == user.id)).all()
    assert len(rows) == 1 and len(user.session_token) >= 40
    with client.session_transaction() as session:
        user_id, session_token, sign_in_token = session["_user_id"].split(":")
    assert int(user_id) == user.id and session_token == user.session_token and len(sign_in_token) >= 40
    assert rows[0].token_hash != sign_in_token  # only a hash is stored


def test_a_copied_session_cookie_stops_working_at_sign_out(app, client, user_email):
    login(client, user_email)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert signed_in(thief)
    client.post("/auth/logout")
    assert not signed_in(client)
    assert not signed_in(thief)


def test_sign_out_here_keeps_other_devices_signed_in(app, user_email):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user_email)
    login(phone, user_email)
    laptop.post("/auth/logout")
    assert signed_in(phone) and not signed_in(laptop)


def test_remember_tokens_differ_per_sign_in_and_die_with_sign_out_everywhere(app, user_email):
    first, second = app.test_client(), app.test_client()
    login(first, user_email, remember=True)
    login(second, user_email, remember=True)
    assert first.get_cookie("remember_token").value != second.get_cookie("remember_token").value
    only_remembered = app.test_client()  # a browser restarted: the session cookie is gone, the remember cookie stays
    only_remembered.set_cookie("remember_token", second.get_cookie("remember_token").value)
    assert signed_in(only_remembered)
    assert first.post("/auth/logout/everywhere").status_code == 302
    for client in (first, second):
        assert not signed_in(client)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", second.get_cookie("remember_token").value)
    assert not signed_in(fresh)


def test_account_page_lists_devices_and_offers_sign_out_everywhere(app, client, user_email):
    login(client, user_email)
    login(app.test_client(), user_email)
    page = client.get("/auth/account").get_data(as_text=True)
    assert "signed in on 2 devices" in page and "Sign out everywhere" in page


def test_password_change_needs_the_current_password(client, user_email):
    login(client, user_email)
    response = client.post("/auth/account", data={"current": "not my password", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 400 and b"That is not your current password" in response.data


def test_password_change_signs_out_other_devices_but_not_this_one(app, client, user_email):
    other = app.test_client()
    login(client, user_email)
    login(other, user_email)
    response = client.post("/auth/account",
                           data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client) and not signed_in(other)
    assert login(app.test_client(), user_email).status_code == 401
    assert login(app.test_client(), user_email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("password, message", [
    ("Password123!", "list of common passwords"),
    ("short", "Use at least 10 characters"),
])
def test_password_change_applies_the_rules(client, user_email, password, message):
    login(client, user_email)
    response = client.post("/auth/account", data={"current": PASSWORD, "password": password, "confirm": password})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


# ---------------------------------------------------------------- reset by email, through a real SMTP server

@pytest.fixture
def mail_app(tmp_path, smtp):
    app = make_app(tmp_path, **mail_config(smtp), SITE_URL="https://sop.example.org")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _deliver(app) -> outbox.FlushReport:
    with app.app_context():
        return outbox.flush()


def _link(smtp, path: str) -> str:
    [message] = smtp.parsed()
    found = re.search(rf"https://sop\.example\.org(/auth/{path}/[\w-]+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def test_reset_answers_the_same_whether_or_not_the_email_exists(mail_app, smtp):
    email = Factory(mail_app).email(Factory(mail_app).user(email="rosa@example.org"))
    client = mail_app.test_client()
    known = client.post("/auth/reset", data={"email": email})
    unknown = client.post("/auth/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert page_text(known, email) == page_text(unknown, "nobody@example.org")
    with mail_app.app_context():  # the request did the same work for both: one outbox row each, no token yet
        assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 2
        assert db.session.scalar(select(func.count()).select_from(AccountToken)) == 0
    report = _deliver(mail_app)
    assert (report.sent, report.skipped) == (1, 1)
    assert [m["To"] for m in smtp.parsed()] == [email]


def test_reset_link_sets_a_new_password_once_and_signs_out_everywhere(mail_app, smtp):
    factory = Factory(mail_app)
    email = factory.email(factory.user())
    browser = mail_app.test_client()
    login(browser, email)
    mail_app.test_client().post("/auth/reset", data={"email": email})
    _deliver(mail_app)
    link = _link(smtp, "reset")
    client = mail_app.test_client()
    assert client.get(link).status_code == 200  # looking at the page spends nothing
    weak = client.post(link, data={"password": "Password123!", "confirm": "Password123!"})
    assert weak.status_code == 400 and b"list of common passwords" in weak.data
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/auth/login")
    assert not signed_in(browser)  # the old session died with the reset
    assert login(mail_app.test_client(), email, NEW_PASSWORD).status_code == 302
    again = client.post(link, data={"password": "another long passphrase", "confirm": "another long passphrase"})
    assert again.status_code == 410 and b"Ask for a new reset link" in again.data


def test_an_expired_reset_link_is_refused(mail_app, smtp):
    factory = Factory(mail_app)
    email = factory.email(factory.user())
    mail_app.test_client().post("/auth/reset", data={"email": email})
    _deliver(mail_app)
    link = _link(smtp, "reset")
    with mail_app.app_context():
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert mail_app.test_client().get(link).status_code == 410


def test_reset_requests_are_rate_limited_per_email(mail_app):
    client = mail_app.test_client()
    statuses = [client.post("/auth/reset", data={"email": "rosa@example.org"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_a_reset_request_never_waits_for_a_slow_mail_server(mail_app, smtp):
    smtp.delay = 5.0  # the server would hold a connection for 5 s
    client = mail_app.test_client()
    assert client.post("/auth/reset", data={"email": "rosa@example.org"}).status_code == 200
    assert smtp.connections == 0  # the request queued a row; only a sender talks to the server


# ---------------------------------------------------------------- email verification

@pytest.fixture
def verify_app(tmp_path, smtp):
    app = make_app(tmp_path, **mail_config(smtp), SITE_URL="https://sop.example.org", REQUIRE_EMAIL_VERIFICATION=True)
    Factory(app).cohort(code="TEST01")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _register(client, email="rosa@example.org"):
    return client.post("/auth/register", data={"join_code": "TEST01", "display_name": "Rosa Diaz", "email": email,
                                               "password": PASSWORD, "confirm": PASSWORD})


def test_verification_registration_reads_the_same_for_a_taken_email(verify_app, smtp):
    Factory(verify_app).user(email="taken@example.org")
    new = _register(verify_app.test_client(), "rosa@example.org")
    taken = _register(verify_app.test_client(), "taken@example.org")
    assert new.status_code == taken.status_code == 200
    assert page_text(new, "rosa@example.org") == page_text(taken, "taken@example.org")
    assert "Check your email" in new.get_data(as_text=True)
    _deliver(verify_app)
    subjects = {m["To"]: m["Subject"] for m in smtp.parsed()}
    assert subjects["rosa@example.org"] == "Confirm your email for SOP Foundations"
    assert subjects["taken@example.org"] == "Someone tried to create an SOP Foundations account with your email"


def test_an_unverified_learner_can_only_reach_the_check_your_mail_page(verify_app, smtp):
    _register(verify_app.test_client())
    client = verify_app.test_client()
    response = login(client, "rosa@example.org")
    assert response.status_code == 302 and response.location.endswith("/auth/verify")
    for path in ("/", "/exercises/", "/auth/account"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.location.endswith("/auth/verify"), path
    assert client.post("/api/v1/grade", json={"kind": "harm", "text": "x"}).status_code == 403
    page = client.get("/auth/verify")
    assert page.status_code == 200 and b"rosa@example.org" in page.data and b"Send the link again" in page.data
    assert client.post("/auth/verify/resend").status_code == 302
    _deliver(verify_app)
    assert len(smtp.messages) == 2
    link = _link_last(smtp, "verify")
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert client.get("/").status_code == 200
    assert verify_app.test_client().post(link).status_code == 410  # used once


def _link_last(smtp, path):
    content = smtp.parsed()[-1].get_content()
    return re.search(rf"https://sop\.example\.org(/auth/{path}/[\w-]+)", content).group(1)


# ---------------------------------------------------------------- deactivation

def test_admin_deactivation_signs_out_at_once_and_reactivation_restores(app, factory):
    admin = app.test_client()
    login(admin, factory.email(factory.user("admin")))
    uid = factory.user()
    email = factory.email(uid)
    learner = app.test_client()
    login(learner, email)
    assert signed_in(learner)
    assert admin.post(f"/admin/users/{uid}/deactivate").status_code == 302
    assert not signed_in(learner)
    assert login(app.test_client(), email).status_code == 403
    assert admin.post(f"/admin/users/{uid}/reactivate").status_code == 302
    assert login(app.test_client(), email).status_code == 302
    assert not signed_in(learner)  # the old cookie stays dead


def test_an_admin_cannot_switch_themself_off(app, factory):
    uid = factory.user("admin")
    client = app.test_client()
    login(client, factory.email(uid))
    page = client.post(f"/admin/users/{uid}/deactivate", follow_redirects=True)
    assert b"You cannot switch off your own account" in page.data
    assert signed_in(client)


# ---------------------------------------------------------------- the client address behind proxies

def _fail_from(client, email, forwarded_for, times):
    for _ in range(times):
        client.post("/auth/login", data={"email": email, "password": "wrong password!"},
                    headers={"X-Forwarded-For": forwarded_for})


def test_with_a_trusted_proxy_each_client_address_is_throttled_apart(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1)
    factory = Factory(app)
    email = factory.email(factory.user())
    client = app.test_client()
    _fail_from(client, email, "203.0.113.5", app.config["LOGIN_MAX_FAILURES"] + 1)
    ok = client.post("/auth/login", data={"email": email, "password": PASSWORD},
                     headers={"X-Forwarded-For": "203.0.113.6"})
    assert ok.status_code == 302
    refused = app.test_client().post("/auth/login", data={"email": email, "password": PASSWORD},
                                     headers={"X-Forwarded-For": "203.0.113.5"})
    assert refused.status_code == 429


def test_without_trusted_proxies_a_forged_forwarded_header_changes_nothing(app, factory):
    email = factory.email(factory.user())
    client = app.test_client()
    _fail_from(client, email, "203.0.113.5", app.config["LOGIN_MAX_FAILURES"])
    forged = client.post("/auth/login", data={"email": email, "password": PASSWORD},
                         headers={"X-Forwarded-For": "203.0.113.99"})
    assert forged.status_code == 429  # the header is ignored: it is still the same address
