"""Notices: the in-app list and bell, email through the outbox to a real SMTP server (immediate or a daily
digest, or none), and in-app only when no mail server is configured."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from course.extensions import db
from course.mail.outbox import flush
from course.models import User
from course.models.mail import PENDING, SENT, SKIPPED, MailMessage
from course.models.notices import NOT_MAILED, Notice
from course.notices.services import (
    DIGEST_MAIL,
    NOTICE_MAIL,
    next_digest_at,
    notify,
    set_email_choice,
    unread_count,
)
from tests.conftest import AuthActions, Factory, mail_config, make_app


@pytest.fixture
def mail_app(tmp_path, smtp):
    """An app that sends through the test SMTP server (the sender runs when the test flushes)."""
    app = make_app(tmp_path, **mail_config(smtp), SITE_URL="https://sop.example.org")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _notify(app, user_id: int, kind: str = "returned", title: str = "Your trainer returned your Harm Statement",
            url: str = "/exercises/hill-family/write/harm/1") -> int:
    """Create one notice as a view would, and commit it."""
    with app.test_request_context():
        notice = notify(db.session.get(User, user_id), kind, title, "Read the comments, revise, submit again.", url)
        db.session.commit()
        return notice.id


def _outbox(app) -> list[tuple[str, str]]:
    """Return (category, status) of every outbox row."""
    with app.app_context():
        return [(r.category, r.status) for r in db.session.scalars(select(MailMessage).order_by(MailMessage.id))]


def _choose(app, user_id: int, choice: str) -> None:
    """Store a user's email choice."""
    with app.test_request_context():
        set_email_choice(db.session.get(User, user_id), choice)
        db.session.commit()


# ---------------------------------------------------------------- in-app

def test_without_a_mail_server_notices_stay_in_app(app, client, auth, factory):
    learner = factory.user("learner", email="ana@example.org", name="Ana Learner")
    other = factory.user("learner", email="ben@example.org")
    notice_id = _notify(app, learner)
    with app.app_context():
        assert db.session.get(Notice, notice_id).mail_batch == NOT_MAILED
        assert db.session.scalar(select(func.count(MailMessage.id))) == 0

    auth.login("ana@example.org")
    home = client.get("/").get_data(as_text=True)
    assert 'class="bell__count"' in home and "1<span class=\"visually-hidden\"> unread notice</span>" in home
    page = client.get("/notices/").get_data(as_text=True)
    assert "Your trainer returned your Harm Statement" in page and "This site is not set up to send email" in page
    with app.app_context():
        assert unread_count(learner) == 1  # reading the list is a GET: it marks nothing

    opened = client.post(f"/notices/{notice_id}/open")
    assert opened.status_code == 302 and opened.headers["Location"] == "/exercises/hill-family/write/harm/1"
    with app.app_context():
        assert unread_count(learner) == 0
    assert 'class="bell__count"' not in client.get("/notices/").get_data(as_text=True)

    auth.logout()
    auth.login(factory.email(other))
    refused = client.post(f"/notices/{notice_id}/open", follow_redirects=True)
    assert "That notice is not in your list" in refused.get_data(as_text=True)
    assert "Harm Statement" not in client.get("/notices/").get_data(as_text=True)


def test_mark_all_read_counts_in_words(app, client, auth, factory):
    learner = factory.user("learner", email="ana@example.org")
    for _ in range(2):
        _notify(app, learner)
    auth.login("ana@example.org")
    assert "Marked 2 notices as read." in client.post("/notices/read", follow_redirects=True).get_data(as_text=True)
    assert "Every notice was already read." in client.post("/notices/read",
                                                           follow_redirects=True).get_data(as_text=True)


def test_a_notice_never_redirects_off_the_site(app, client, auth, factory):
    learner = factory.user("learner", email="ana@example.org")
    notice_id = _notify(app, learner, url="//evil.example.com/")
    auth.login("ana@example.org")
    assert client.post(f"/notices/{notice_id}/open").headers["Location"] == "/notices/"


def test_empty_list_says_what_will_appear(app, client, auth, factory):
    factory.user("learner", email="ana@example.org")
    auth.login("ana@example.org")
    assert "No notices yet." in client.get("/notices/").get_data(as_text=True)


# ---------------------------------------------------------------- email

def test_an_immediate_notice_arrives_at_the_smtp_server(mail_app, smtp):
    learner = Factory(mail_app).user("learner", email="ana@example.org", name="Ana Learner")
    notice_id = _notify(mail_app, learner)
    assert _outbox(mail_app) == [(NOTICE_MAIL, PENDING)] and smtp.connections == 0  # the request only queues
    with mail_app.app_context():
        assert flush().sent == 1
        assert db.session.get(Notice, notice_id).mail_batch.startswith("n")
    [message] = smtp.parsed()
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Your trainer returned your Harm Statement"
    body = message.get_content()
    assert "Hello Ana Learner" in body and "https://sop.example.org/exercises/hill-family/write/harm/1" in body


def test_an_immediate_email_claims_a_choice_only_when_the_learner_made_one(mail_app, smtp):
    learner = Factory(mail_app).user("learner", email="ana@example.org")
    _notify(mail_app, learner)  # never chose: immediate is the default
    with mail_app.app_context():
        assert flush().sent == 1  # composed now, when it is sent
    _choose(mail_app, learner, "immediate")
    _notify(mail_app, learner, title="Your trainer accepted your Safety Goal 1")
    with mail_app.app_context():
        assert flush().sent == 1
    default, chosen = (" ".join(m.get_content().split()) for m in smtp.parsed())
    assert "that is the setting until you change it" in default and "you chose" not in default
    assert "because you chose that" in chosen
    for body in (default, chosen):
        assert "To get one email a day, or none, change it on your notices page: https://sop.example.org/notices/" \
            in body


def test_a_daily_digest_carries_every_waiting_notice_once(mail_app, smtp):
    learner = Factory(mail_app).user("learner", email="ana@example.org")
    _choose(mail_app, learner, "daily")
    _notify(mail_app, learner, title="Your trainer returned your Harm Statement")
    _notify(mail_app, learner, kind="accepted", title="Your trainer accepted your Safety Goal 1")
    assert _outbox(mail_app) == [(DIGEST_MAIL, PENDING)]  # one digest waits for both
    with mail_app.app_context():
        row = db.session.scalar(select(MailMessage))
        assert row.next_attempt_at > datetime.now(UTC)
        assert flush().total == 0  # not due yet
        assert flush(ignore_schedule=True).sent == 1
    [message] = smtp.parsed()
    assert message["Subject"] == "SOP Foundations: 2 new notices"
    body = message.get_content()
    assert "your 2 new notices" in body
    assert "returned your Harm Statement" in body and "accepted your Safety Goal 1" in body
    _notify(mail_app, learner, title="A third notice")
    assert _outbox(mail_app)[-1] == (DIGEST_MAIL, PENDING)  # the next day's digest


def test_choosing_no_email_stops_waiting_notices(mail_app, smtp):
    learner = Factory(mail_app).user("learner", email="ana@example.org")
    _choose(mail_app, learner, "daily")
    notice_id = _notify(mail_app, learner)
    _choose(mail_app, learner, "none")
    with mail_app.app_context():
        assert db.session.get(Notice, notice_id).mail_batch == NOT_MAILED
        assert flush(ignore_schedule=True).skipped == 1
    assert _outbox(mail_app) == [(DIGEST_MAIL, SKIPPED)] and not smtp.messages
    _notify(mail_app, learner)
    assert len(_outbox(mail_app)) == 1  # nothing new is queued


def test_an_immediate_email_follows_a_later_switch_to_the_digest(mail_app, smtp):
    learner = Factory(mail_app).user("learner", email="ana@example.org")
    _notify(mail_app, learner)
    _choose(mail_app, learner, "daily")  # the notice is already waiting: the digest is queued for it
    with mail_app.app_context():
        report = flush(ignore_schedule=True)
    assert (report.sent, report.skipped) == (1, 1)
    assert sorted(_outbox(mail_app)) == [(NOTICE_MAIL, SKIPPED), (DIGEST_MAIL, SENT)]
    assert len(smtp.messages) == 1


def test_the_email_choice_form(mail_app, smtp):
    from course.notices.services import email_choice

    learner = Factory(mail_app).user("learner", email="ana@example.org")
    client = mail_app.test_client()
    AuthActions(client).login("ana@example.org")
    page = client.get("/notices/").get_data(as_text=True)
    assert 'checked id="email-0" name="email" required type="radio" value="immediate"' in page
    bad = client.post("/notices/email", data={"email": "hourly"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    saved = client.post("/notices/email", data={"email": "daily"}, follow_redirects=True).get_data(as_text=True)
    assert "Saved. Notices still appear here as well." in saved
    assert 'checked id="email-1" name="email" required type="radio" value="daily"' in saved
    with mail_app.app_context():
        assert email_choice(learner) == "daily"


def test_the_digest_command_sends_waiting_digests_now(mail_app, smtp):
    learner = Factory(mail_app).user("learner", email="ana@example.org")
    _choose(mail_app, learner, "daily")
    _notify(mail_app, learner)
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["notices", "digest"])
    assert result.exit_code == 0 and "Sent 0" in result.output  # not due yet
    result = runner.invoke(args=["notices", "digest", "--now"])
    assert result.exit_code == 0 and "Sent 1" in result.output and len(smtp.messages) == 1


def test_the_digest_command_explains_a_missing_server(runner):
    result = runner.invoke(args=["notices", "digest"])
    assert result.exit_code != 0 and "SOP_MAIL_SERVER is not set" in result.output


@pytest.mark.parametrize("now, expected", [
    (datetime(2026, 12, 4, 20, 0, tzinfo=UTC), datetime(2026, 12, 5, 1, 0, tzinfo=UTC)),  # noon PST: 5 pm today
    (datetime(2026, 12, 5, 2, 0, tzinfo=UTC), datetime(2026, 12, 6, 1, 0, tzinfo=UTC)),  # 6 pm PST: tomorrow
    (datetime(2027, 7, 1, 12, 0, tzinfo=UTC), datetime(2027, 7, 2, 0, 0, tzinfo=UTC)),  # summer time: 5 pm PDT
])
def test_digests_go_out_at_five_in_the_afternoon_pacific(app, now, expected):
    with app.app_context():
        assert next_digest_at(now) == expected


# ---------------------------------------------------------------- other features' events

def test_a_certificate_earned_is_a_notice(app, factory):
    from course.events import course_completed

    learner = factory.user("learner", email="ana@example.org")
    with app.test_request_context():
        user = db.session.get(User, learner)
        course_completed.send(app, user=user, certificate=None)
        db.session.commit()
        notice = db.session.scalar(select(Notice))
    assert notice.kind == "certificate" and notice.title == "Your certificate is ready"
    assert notice.url == "/pilot/certificate"

