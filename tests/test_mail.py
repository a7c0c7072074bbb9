"""The mail outbox against a real SMTP server (aiosmtpd on loopback): delivery, retries with backoff,
permanent refusals, safe claims by several workers, the background sender and the CLI."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from course.database import utcnow
from course.extensions import db
from course.mail import outbox, queue_mail
from course.mail.sender import SENDERS
from course.models.mail import FAILED, PENDING, SENT, MailMessage
from tests.conftest import mail_config, make_app


@pytest.fixture
def mail_app(tmp_path, smtp):
    """An app whose outbox points at the test SMTP server."""
    app = make_app(tmp_path, **mail_config(smtp, MAIL_TIMEOUT_SECONDS=1.0))
    yield app
    SENDERS.stop_sender(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _queue(app, to="rosa@example.org", subject="Your SOP Foundations link", text="Open this link.", **kw) -> int:
    with app.test_request_context():
        row = queue_mail(to, subject, text, **kw)
        db.session.commit()
        return row.id


def _row(app, row_id) -> MailMessage:
    with app.app_context():
        row = db.session.get(MailMessage, row_id)
        db.session.expunge(row)
        return row


def _make_due(app, row_id) -> None:
    with app.app_context():
        db.session.execute(update(MailMessage).where(MailMessage.id == row_id).values(next_attempt_at=utcnow()))
        db.session.commit()


def test_queued_mail_arrives_and_its_body_is_not_kept(mail_app, smtp):
    row_id = _queue(mail_app, html="<p>Open this link.</p>", category="message")
    assert smtp.connections == 0  # queueing never talks to the server
    with mail_app.app_context():
        report = outbox.flush()
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [message] = smtp.parsed()
    assert message["To"] == "rosa@example.org"
    assert message["Subject"] == "Your SOP Foundations link"
    assert "no-reply@example.org" in message["From"]
    assert message.get_body(("plain",)).get_content().strip() == "Open this link."
    assert message.get_body(("html",)).get_content().strip() == "<p>Open this link.</p>"
    row = _row(mail_app, row_id)
    assert row.status == SENT and row.sent_at is not None and row.attempts == 1
    assert row.text == "" and row.html is None  # a one-time link does not outlive its delivery


def test_without_a_server_messages_wait(tmp_path, smtp):
    app = make_app(tmp_path)
    row_id = _queue(app)
    with app.app_context():
        assert outbox.flush().total == 0
    assert _row(app, row_id).status == PENDING and smtp.connections == 0
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code != 0 and "SOP_MAIL_SERVER is not set" in result.output
    status = app.test_cli_runner().invoke(args=["mail", "status"])
    assert "1 pending" in status.output and "messages wait in the outbox" in status.output


def test_a_busy_server_is_retried_with_backoff_then_delivers(mail_app, smtp):
    row_id = _queue(mail_app)
    smtp.mode = "tempfail"
    with mail_app.app_context():
        assert outbox.flush().retrying == 1
        assert outbox.flush().total == 0  # not due again yet
    first = _row(mail_app, row_id)
    assert first.status == PENDING and first.attempts == 1 and "451" in first.last_error
    assert first.next_attempt_at - utcnow() > timedelta(seconds=20)
    _make_due(mail_app, row_id)
    with mail_app.app_context():
        outbox.flush()
    second = _row(mail_app, row_id)
    assert second.attempts == 2
    assert second.next_attempt_at - utcnow() > timedelta(seconds=50)  # the delay doubled
    smtp.mode = "accept"
    _make_due(mail_app, row_id)
    with mail_app.app_context():
        assert outbox.flush().sent == 1
    assert len(smtp.messages) == 1 and _row(mail_app, row_id).status == SENT


def test_a_slow_server_times_out_and_is_retried_later(mail_app, smtp):
    row_id = _queue(mail_app)
    smtp.delay = 3.0  # longer than MAIL_TIMEOUT_SECONDS
    with mail_app.app_context():
        assert outbox.flush().retrying == 1
    row = _row(mail_app, row_id)
    assert row.status == PENDING and row.attempts == 1 and row.next_attempt_at > utcnow()
    assert not smtp.messages


def test_a_refused_recipient_gives_up_at_once_and_can_be_requeued(mail_app, smtp):
    row_id = _queue(mail_app)
    smtp.mode = "reject"
    with mail_app.app_context():
        assert outbox.flush().failed == 1
    assert _row(mail_app, row_id).status == FAILED
    smtp.mode = "accept"
    result = mail_app.test_cli_runner().invoke(args=["mail", "send", "--retry-failed"])
    assert "Re-queued 1 failed message(s)" in result.output and "Sent 1" in result.output
    assert len(smtp.messages) == 1


def test_attempts_run_out(mail_app, smtp):
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 2
    row_id = _queue(mail_app)
    smtp.mode = "tempfail"
    for _ in range(2):
        _make_due(mail_app, row_id)
        with mail_app.app_context():
            outbox.flush()
    assert _row(mail_app, row_id).status == FAILED


def test_two_workers_never_claim_the_same_message(mail_app):
    ids = [_queue(mail_app, to=f"p{n}@example.org") for n in range(6)]
    with mail_app.app_context():
        first = {row.id for row in outbox.OUTBOX.claim_due("worker-a", limit=4)}
        second = {row.id for row in outbox.OUTBOX.claim_due("worker-b", limit=10)}
        owners = dict(db.session.execute(select(MailMessage.id, MailMessage.claimed_by)).all())
    assert len(first) == 4 and first.isdisjoint(second) and first | second == set(ids)
    assert {owners[i] for i in first} == {"worker-a"} and {owners[i] for i in second} == {"worker-b"}


def test_a_stale_claim_is_taken_over(mail_app, smtp):
    row_id = _queue(mail_app)
    with mail_app.app_context():
        outbox.OUTBOX.claim_due("dead-worker")
        assert outbox.flush().total == 0  # claimed by someone else
        db.session.execute(update(MailMessage).values(claimed_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        assert outbox.flush().sent == 1
    assert _row(mail_app, row_id).status == SENT


def test_the_background_sender_delivers_after_the_commit(mail_app, smtp):
    sender = SENDERS.start_sender(mail_app)
    _queue(mail_app, subject="Woken up")
    for _ in range(100):  # bounded wait for the thread (up to about 10 s)
        if smtp.messages:
            break
        time.sleep(0.1)
    assert sender.alive
    assert [m["Subject"] for m in smtp.parsed()] == ["Woken up"]


def test_cli_send_drains_the_outbox(mail_app, smtp):
    for n in range(3):
        _queue(mail_app, to=f"p{n}@example.org")
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 3, will retry 0, gave up on 0" in result.output
    assert sorted(m["To"] for m in smtp.parsed()) == ["p0@example.org", "p1@example.org", "p2@example.org"]


def test_a_composed_message_is_written_at_send_time_or_skipped(mail_app, smtp):
    from course.mail.outbox import Composed, queue_composed, register_composer
    from course.models.mail import SKIPPED

    seen = []

    def compose(row):
        seen.append(dict(row.context))
        return Composed("Hello", f"Hello {row.context['name']}") if row.context.get("name") else None

    register_composer("test_greeting", compose)
    with mail_app.test_request_context():
        kept = queue_composed("a@example.org", "test_greeting", {"name": "Ana"})
        dropped = queue_composed("b@example.org", "test_greeting", {})
        db.session.commit()
        kept_id, dropped_id = kept.id, dropped.id
    assert seen == []  # nothing is composed while the request runs
    with mail_app.app_context():
        report = outbox.flush()
    assert (report.sent, report.skipped) == (1, 1)
    [message] = smtp.parsed()
    assert message["To"] == "a@example.org" and message.get_content().strip() == "Hello Ana"
    assert _row(mail_app, kept_id).status == SENT and _row(mail_app, dropped_id).status == SKIPPED
