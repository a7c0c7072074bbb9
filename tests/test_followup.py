"""The 30-day follow-up: opens on day 30 and not before, the invitation is a mail job in the database due that
day, the privacy guard masks names and refuses identifiers, and the learner sees what is kept before it is."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from course.extensions import db
from course.followup.services import DAYS, MAIL_CATEGORY, mask_names, state_of
from course.mail import outbox
from course.mail.sender import SENDERS
from course.models import User
from course.models.loop import FollowUp
from course.models.mail import PENDING, SENT, SKIPPED, MailMessage
from course.models.pilot import Certificate
from course.models.xapi import XapiStatement
from course.pilot.report import HIDDEN_NOTE
from course.pilot.services import issue_if_complete
from tests.conftest import Factory, mail_config, make_app
from tests.test_pilot_support import complete_modules, finish_everything_but_modules

STATEMENT = ("The grandmother and I are worried that when Marcus Hill drinks on Saturday nights he may grab "
             "Jayden (7) and throw him against a wall, and Jayden could get a head injury.")
TOOLS = {"tool_mapping": "most", "tool_harm": "several", "tool_danger": "several", "tool_safety_goal": "once",
         "tool_sf_question": "most", "tool_houses": "not_yet"}


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    from grader import load_pipeline

    return load_pipeline()


def _certify(app, user_id: int, days_ago: float = 0) -> Certificate:
    """Complete the course for real, issue the certificate, and move it (and its mail job) back in time."""
    with app.test_request_context():
        complete_modules(user_id)
        finish_everything_but_modules(user_id)
        certificate = issue_if_complete(db.session.get(User, user_id))
        db.session.commit()
        if days_ago:
            shift = timedelta(days=days_ago)
            certificate.issued_at -= shift
            for job in db.session.scalars(select(MailMessage).where(MailMessage.category == MAIL_CATEGORY)):
                job.next_attempt_at -= shift
            db.session.commit()
        db.session.refresh(certificate)
        db.session.expunge(certificate)
        return certificate


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner", cohort_id=factory.cohort("Pilot West"))
    auth.login(factory.email(user_id))
    return user_id


@pytest.mark.parametrize("after, state", [
    (timedelta(days=-1), "waiting"),  # clock before the certificate (skew): still waiting
    (timedelta(days=DAYS) - timedelta(minutes=1), "waiting"),
    (timedelta(days=DAYS), "open"),
    (timedelta(days=DAYS + 40), "open"),
])
def test_the_follow_up_opens_on_day_30_and_not_before(app, learner, after, state):
    certificate = _certify(app, learner)
    with app.app_context():
        assert state_of(learner, now=certificate.issued_at + after).name == state


def test_no_certificate_no_follow_up(app, client, learner):
    with app.app_context():
        assert state_of(learner).name == "none"
    assert "Finish the course first" in client.get("/follow-up").get_data(as_text=True)


def test_before_day_30_the_page_says_when_and_refuses_answers(app, client, learner):
    _certify(app, learner, days_ago=DAYS - 1)
    page = client.get("/follow-up").get_data(as_text=True)
    assert "The follow-up opens on" in page and "statement_kind" not in page
    assert client.post("/follow-up", data={**TOOLS, "statement_kind": "danger", "statement": STATEMENT,
                                           "preview": "y"}).status_code == 409
    assert "answer the five-minute follow-up" not in client.get("/drills/").get_data(as_text=True)


def test_on_day_30_a_notice_shows_and_the_preview_masks_names_before_anything_is_kept(app, client, learner, nlp):
    _certify(app, learner, days_ago=DAYS)
    assert "answer the five-minute follow-up" in client.get("/drills/").get_data(as_text=True)
    form = {**TOOLS, "obstacles": ["time", "forms"], "obstacle_note": "Dana Ortiz said our form has no room.",
            "statement_kind": "danger", "statement": STATEMENT}
    # Saving text that still has names shows the masked text instead of keeping it.
    response = client.post("/follow-up", data={**form, "save": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "What will be kept" in page
    assert "when [name 1] drinks" in page and "grab [name 2] (7)" in page and "[name 1] said our form" in page
    with app.app_context():
        assert db.session.scalars(select(FollowUp)).all() == []
    masked = {**form, "statement": STATEMENT.replace("Marcus Hill", "[name 1]").replace("Jayden", "[name 2]"),
              "obstacle_note": "[name 1] said our form has no room."}
    response = client.post("/follow-up", data={**masked, "save": "y"})
    assert response.status_code == 302
    with app.app_context():
        [row] = db.session.scalars(select(FollowUp)).all()
        assert "Marcus" not in row.statement and "Jayden" not in row.statement and "Dana" not in row.obstacle_note
        assert row.tool_use["mapping"] == "most" and row.obstacles == ["time", "forms"]
        assert row.statement_kind == "danger" and row.summary["parts"] == 5 and row.cohort_id is not None
        [sent] = db.session.scalars(select(XapiStatement).where(XapiStatement.verb == "answered")).all()
        assert sent.statement["object"]["id"].endswith("/xapi/activities/follow-up")
        assert "Marcus" not in str(sent.statement) and "[name" not in str(sent.statement)  # no answers travel
    page = client.get("/follow-up").get_data(as_text=True)
    assert "You sent your follow-up on" in page and "With most families I worked with" in page
    assert "answer the five-minute follow-up" not in client.get("/drills/").get_data(as_text=True)


@pytest.mark.parametrize("statement, flagged", [
    ("The mother (phone 555-867-5309) may leave the baby alone at night.", "555-867-5309"),
    ("The family lives at 1423 Maple Street, Apt 4, and the father may hit the boy.", "1423 Maple Street"),
    ("Case #2019-00451: the mother may leave the girl, 4, alone at night.", "2019-00451"),
])
def test_the_privacy_guard_refuses_identifiers(app, client, learner, nlp, statement, flagged):
    _certify(app, learner, days_ago=DAYS)
    response = client.post("/follow-up", data={**TOOLS, "statement_kind": "danger", "statement": statement,
                                                "preview": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "looks like real identifying detail" in page and flagged in page
    assert "Nothing has been kept" in page
    with app.app_context():
        assert db.session.scalars(select(FollowUp)).all() == []


def test_missing_answers_are_named(app, client, learner):
    _certify(app, learner, days_ago=DAYS)
    response = client.post("/follow-up", data={"statement_kind": "danger", "preview": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say how often you used: harm statements." in page and "Write the statement" in page


def test_names_get_one_placeholder_each(app, nlp):
    with app.app_context():
        masked, count = mask_names("Ms. Patel told Grace Okafor that Grace should call Ms. Patel.")
    assert count == 4 and "Patel" not in masked and "Grace" not in masked
    assert masked.startswith("[name 1] told") and masked.endswith("call [name 1].")  # "Ms. Patel" both times


@pytest.mark.parametrize("text", ["On Tuesday Dad left the baby alone.", "CPS asked Mom to go to AA."])
def test_roles_and_acronyms_are_not_names(app, nlp, text):
    with app.app_context():
        assert mask_names(text) == (text, 0)


# ---------------------------------------------------------------- the scheduled invitation

@pytest.fixture
def mail_app(tmp_path, smtp):
    """An app whose outbox points at the test SMTP server."""
    app = make_app(tmp_path, **mail_config(smtp, SITE_URL="https://sop.example.org"))
    yield app
    SENDERS.stop_sender(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _invitations(app) -> list[MailMessage]:
    with app.app_context():
        rows = db.session.scalars(select(MailMessage).where(MailMessage.category == MAIL_CATEGORY)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_the_invitation_is_a_mail_job_due_on_day_30(mail_app, smtp):
    user_id = Factory(mail_app).user("learner", email="lena@example.org")
    certificate = _certify(mail_app, user_id)
    [job] = _invitations(mail_app)
    assert job.status == PENDING and job.to == "lena@example.org"
    assert job.next_attempt_at == certificate.issued_at + timedelta(days=DAYS)
    with mail_app.app_context():
        outbox.flush()  # the certificate's own notice leaves at once; the invitation is not due before day 30
    assert _invitations(mail_app)[0].status == PENDING
    smtp.reset()
    with mail_app.app_context():
        for job in db.session.scalars(select(MailMessage)):
            job.next_attempt_at -= timedelta(days=DAYS)
        db.session.commit()
        assert outbox.flush().sent == 1
    [message] = smtp.parsed()
    assert message["To"] == "lena@example.org" and "a month on" in message["Subject"]
    assert "https://sop.example.org/follow-up" in message.get_body(("plain",)).get_content()
    assert _invitations(mail_app)[0].status == SENT


def test_no_invitation_is_sent_to_a_learner_who_has_answered(mail_app, smtp):
    user_id = Factory(mail_app).user("learner")
    _certify(mail_app, user_id, days_ago=DAYS)
    with mail_app.app_context():
        db.session.add(FollowUp(user_id=user_id, statement_kind="danger", statement="[name 1] may ..."))
        db.session.commit()
        assert outbox.flush().skipped == 1
    subjects = [message["Subject"] for message in smtp.parsed()]
    assert not any("a month on" in subject for subject in subjects), subjects  # the certificate's notice may go
    assert _invitations(mail_app)[0].status == SKIPPED


def test_the_backfill_schedules_certificates_issued_before_invitations_once(mail_app, smtp):
    """Certificates from before invitations were scheduled get one, through the command, and only once."""
    factory = Factory(mail_app)
    old, recent, answered, revoked = (factory.user("learner", email=f"{who}@example.org")
                                      for who in ("old", "recent", "answered", "revoked"))
    for user_id, days in ((old, DAYS + 5), (recent, 2), (answered, DAYS + 1), (revoked, 3)):
        _certify(mail_app, user_id, days_ago=days)
    with mail_app.app_context():
        for job in db.session.scalars(select(MailMessage).where(MailMessage.category == MAIL_CATEGORY)):
            db.session.delete(job)  # as if issued before the invitation was scheduled
        db.session.add(FollowUp(user_id=answered, statement_kind="danger", statement="[name 1] may ..."))
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == revoked))
        cert.revoked_at, cert.revoke_reason = cert.issued_at, "Attendance recorded in error."
        db.session.commit()
    runner = mail_app.test_cli_runner()
    first = runner.invoke(args=["followup-backfill"])
    assert first.exit_code == 0 and "Scheduled 2 follow-up invitation(s)" in first.output, first.output
    again = runner.invoke(args=["followup-backfill"])
    assert "Scheduled 0 follow-up invitation(s)" in again.output
    jobs = {job.to: job for job in _invitations(mail_app)}
    assert set(jobs) == {"old@example.org", "recent@example.org"}
    smtp.reset()
    with mail_app.app_context():
        outbox.flush()  # the old certificate's day 30 has passed: it goes now; the recent one waits
    [message] = [m for m in smtp.parsed() if "a month on" in m["Subject"]]  # certificate notices may go too
    assert message["To"] == "old@example.org" and "https://sop.example.org/follow-up" in message.get_body(
        ("plain",)).get_content()
    assert {job.to: job.status for job in _invitations(mail_app)} == {"old@example.org": SENT,
                                                                      "recent@example.org": PENDING}


def test_the_backfill_needs_an_address_for_the_link(tmp_path, smtp):
    app = make_app(tmp_path, **mail_config(smtp))
    app.config.pop("SITE_URL", None)
    result = app.test_cli_runner().invoke(args=["followup-backfill"])
    assert result.exit_code != 0 and "set SITE_URL" in result.output and "--site" in result.output
    assert "Scheduled" in app.test_cli_runner().invoke(args=["followup-backfill", "--site", "https://x.example"]).output
    SENDERS.stop_sender(app)


# ---------------------------------------------------------------- the pilot report's "use in practice"

def _answer(user_id: int, cohort_id: int, tools: str, ready: bool) -> None:
    """Store one learner's follow-up (inside an app context), as the form would after the privacy guard."""
    db.session.add(FollowUp(user_id=user_id, cohort_id=cohort_id, tool_use={t: tools for t in TOOL_IDS},
                            obstacles=["time"], obstacle_note="", statement_kind="danger",
                            statement=f"[name 1] may leave the baby alone ({user_id}).",
                            summary={"verdict": "ready" if ready else "revise", "blocking": 0 if ready else 2}))


TOOL_IDS = ("mapping", "harm", "danger", "safety_goal", "sf_question", "houses")


def _report(client, factory, viewer, **args) -> str:
    client.post("/auth/login", data={"email": factory.email(viewer), "password": "correct horse battery"})
    response = client.get("/pilot/report", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True).split('id="practice-title"')[1].split("</section>")[0]


def _csv(client, **args) -> list[list[str]]:
    """Return the "use in practice" CSV rows (the signed-in viewer's), header first."""
    response = client.get("/pilot/report/practice.csv", query_string=args)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("answers, shown", [(4, False), (5, True)])
def test_use_in_practice_needs_five_answers(app, client, factory, answers, shown):
    trainer = factory.user("trainer")
    cohort = factory.cohort("Pilot South", trainer_id=trainer)
    with app.app_context():
        for index in range(answers):
            _answer(factory.user("learner", cohort_id=cohort), cohort, "most" if index < 3 else "once", index < 2)
        db.session.commit()
    section = _report(client, factory, trainer)
    assert (HIDDEN_NOTE in section) is not shown
    assert ("How often each tool was used" in section) is shown
    if shown:
        # hand count: 3 learners "most", 2 "once"; 2 of 5 statements ready, (0+0+2+2+2)/5 = 1.2 blocking
        assert "5 learners answered" in section and "<strong>2</strong> the checker finds ready" in section
        assert "1.2 blocking problems per statement" in section
        row = section.split("Mapping a family")[1].split("</tr>")[0]
        assert [c.split("<")[0] for c in row.split('<td class="num">')[1:]] == ["0", "2", "0", "3"]
        assert "Not enough time: 5" in section and "[name 1] may leave the baby alone" in section
    rows = _csv(client)
    assert rows[0] == ["section", "item", "answer", "value", "note"]
    if not shown:  # the CSV hides what the page hides: a count only
        assert rows[1:] == [["follow-ups answered", "", "", "4", HIDDEN_NOTE]]
        return
    assert rows[1] == ["follow-ups answered", "", "", "5", ""]
    mapping = {r[2]: r[3] for r in rows if r[1].startswith("Mapping a family")}
    assert mapping == {"Not yet": "0", "Once or twice": "2", "Several times": "0",
                       "With most families I worked with": "3"}
    assert ["what got in the way", "Not enough time", "", "5", "learners"] in rows
    assert ["rewritten statements", "ready by the checker", "", "2", "statements"] in rows
    assert ["rewritten statements", "blocking problems per statement", "", "1.2", "mean"] in rows
    assert sum(1 for r in rows if r[0].startswith("statement from practice")) == 5


def test_use_in_practice_hides_a_cohort_whose_difference_from_all_is_under_five(app, client, factory):
    admin = factory.user("admin")
    big, small = factory.cohort("Pilot East"), factory.cohort("Pilot Lone")
    with app.app_context():
        for _ in range(5):
            _answer(factory.user("learner", cohort_id=big), big, "most", True)
        _answer(factory.user("learner", cohort_id=small), small, "once", True)
        db.session.commit()
    everyone = _report(client, factory, admin)
    assert "6 learners answered" in everyone
    # all cohorts (6) minus the big cohort (5) would single out the one learner in the small cohort
    assert HIDDEN_NOTE in _report(client, factory, admin, cohort=big)
    assert HIDDEN_NOTE in _report(client, factory, admin, cohort=small)
    assert _csv(client)[1] == ["follow-ups answered", "", "", "6", ""]
    for cohort, count in ((big, "5"), (small, "1")):  # the CSV hides what the page hides
        assert _csv(client, cohort=cohort)[1:] == [["follow-ups answered", "", "", count, HIDDEN_NOTE]]


def test_the_weekly_notices_job_needs_an_address_when_it_sends_mail(tmp_path, smtp):
    app = make_app(tmp_path, **mail_config(smtp))
    app.config.pop("SITE_URL", None)
    result = app.test_cli_runner().invoke(args=["quizzes", "weekly-notices"])
    assert result.exit_code != 0 and "set SITE_URL" in result.output  # a mail with a relative link opens nothing
    app.config["SITE_URL"] = "https://sop.example.org"
    assert app.test_cli_runner().invoke(args=["quizzes", "weekly-notices"]).exit_code == 0
    SENDERS.stop_sender(app)


def test_a_skipped_invitation_still_counts_as_sent_for_the_backfill(mail_app, smtp):
    user_id = Factory(mail_app).user("learner", email="moved@example.org")
    _certify(mail_app, user_id, days_ago=DAYS)
    with mail_app.app_context():
        db.session.get(User, user_id).email = "new-address@example.org"  # the composer skips a changed address
        db.session.commit()
        outbox.flush()
    assert [job.status for job in _invitations(mail_app)] == [SKIPPED]
    result = mail_app.test_cli_runner().invoke(args=["followup-backfill"])
    assert "Scheduled 0 follow-up invitation(s)" in result.output, result.output
