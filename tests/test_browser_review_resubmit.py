"""A returned set, end to end in headless Chromium against a live server whose outbox mails through a real SMTP
server (aiosmtpd): the trainer returns a statement, the app's own sender delivers the notice email, the learner
follows its link, signs in, revises in the editor and resubmits, and the set comes back to the trainer marked as
a resubmission and pre-scored from the earlier review. Set SOP_REVIEW_SHOTS=/some/dir to keep screenshots."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from course.extensions import db
from course.mail.sender import SENDERS
from course.models import MappingAttempt, Work
from course.models.mail import SENT, MailMessage
from tests.conftest import PASSWORD, browser_login, mail_config, make_app
from tests.test_browser_review import shoot
from tests.test_e2e_learner import DANGER, check_and_read, type_draft, wait_saved
from tests.test_review import DANGER_TEXT, submit_work

pytestmark = pytest.mark.browser
RETURN_COMMENT = "Say what you are worried will happen, and to whom."
SAM_TEXT = "Sam's own note: the worker is worried about Bao at the pool."


@pytest.fixture(scope="module", autouse=True)
def nlp():
    """Load the grader once, before the live server needs it (resubmitting grades the statement)."""
    from grader import load_pipeline

    return load_pipeline()


@pytest.fixture
def live_app(tmp_path, smtp):
    """The live server's app, as in production but mailing the test SMTP server from its own background sender."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, **mail_config(smtp, MAIL_BACKGROUND=True))
    yield app
    SENDERS.stop_sender(app)


@pytest.fixture
def scene(live_app, live_factory):
    """A trainer and two learners: Alex submitted a Hill family harm and danger statement, Sam a danger statement."""
    trainer = live_factory.user("trainer", email="trainer@example.org", name="Dana Trainer")
    cohort = live_factory.cohort("Fresno, March", trainer_id=trainer)
    learner = live_factory.user("learner", email="alex@example.org", name="Alex Learner", cohort_id=cohort)
    other = live_factory.user("learner", email="sam@example.org", name="Sam Learner", cohort_id=cohort)
    harm = submit_work(live_app, learner)
    danger = submit_work(live_app, learner, kind="danger", text=DANGER_TEXT)
    submit_work(live_app, other, kind="danger", text=SAM_TEXT)
    with live_app.app_context():
        db.session.add(MappingAttempt(user_id=learner, vignette_id="hill-family", placements={"f1": "danger"},
                                      correct=10, total=14))
        db.session.commit()
    return {"harm": harm, "danger": danger, "learner": learner}


def delivered(smtp, count: int = 1, tries: int = 100) -> list:
    """Wait (up to about 10 s) until the SMTP server has accepted `count` messages; return them parsed."""
    for _ in range(tries):
        if len(smtp.messages) >= count:
            return smtp.parsed()
        time.sleep(0.1)
    raise AssertionError(f"the SMTP server received {len(smtp.messages)} message(s), expected {count}")


def test_returned_set_is_mailed_revised_resubmitted_and_comes_back_prescored(
        live_server, live_app, scene, smtp, new_context, assert_accessible):
    base = live_server.url
    url = f"{base}/review/sets/{scene['learner']}/hill-family"
    trainer = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(trainer, base, "trainer@example.org")
    trainer.goto(f"{base}/review/")
    trainer.get_by_role("button", name="Claim The Hill family from Alex Learner").click()
    expect(trainer.get_by_text("You are reviewing this set.")).to_be_visible()
    trainer.wait_for_load_state("load")  # review.js is deferred: let it attach its listeners
    harm, danger = trainer.locator(f"#work-{scene['harm']}"), trainer.locator(f"#work-{scene['danger']}")
    for row in harm.locator("fieldset.rubric-row").all():
        row.get_by_label("Meets").check()
    harm.get_by_label("Accept", exact=True).check()
    rows = danger.locator("fieldset.rubric-row")
    scores = ["Partly" if i % 2 == 0 else "Meets" for i in range(rows.count())]
    for row, score in zip(rows.all(), scores, strict=True):
        row.get_by_label(score).check()
    danger.get_by_label("Overall comment to the learner").fill(RETURN_COMMENT)
    danger.get_by_label("Return for revision").check()
    trainer.get_by_role("button", name="Send decisions").click()
    expect(trainer.get_by_text("Sent: 1 statement accepted and 1 statement returned.")).to_be_visible()

    # The app's own sender (a thread of the live server, woken by the commit) hands the notice to the SMTP server.
    [message] = delivered(smtp)
    assert message["To"] == "alex@example.org"
    assert message["Subject"] == "The Hill family: 1 statement returned for revision"
    text = message.get_body(("plain",)).get_content()
    assert "Hello Alex Learner" in text and "Returned for revision: Danger Statement 1." in text
    assert "Accepted: Harm Statement." in text
    assert "each notice: that is the setting until you change it." in " ".join(text.split())  # Alex never chose
    links = re.findall(r"https?://\S+", text)
    assert f"{base}/exercises/hill-family/write/danger/1" in links
    whole = message.as_string()
    for private in ("Sam Learner", "sam@example.org", SAM_TEXT, "trainer@example.org", DANGER_TEXT):
        assert private not in whole
    time.sleep(0.3)  # a second message (to anyone) would be a bug: give a stray one the time to arrive
    assert len(smtp.messages) == 1
    with live_app.app_context():
        assert [row.status for row in db.session.scalars(db.select(MailMessage))] == [SENT]

    # The learner follows the email's link, signs in, and lands on the returned statement with the comment first.
    learner = new_context(viewport={"width": 1280, "height": 900}).new_page()
    learner.goto(f"{base}/exercises/hill-family/write/danger/1")
    learner.get_by_label("Email").fill("alex@example.org")
    learner.get_by_label("Password", exact=True).fill(PASSWORD)
    learner.get_by_role("button", name="Sign in").click()
    expect(learner).to_have_url(f"{base}/exercises/hill-family/write/danger/1")
    feedback = learner.locator("section.feedback.card").first
    expect(feedback).to_contain_text("Returned for revision.")
    expect(feedback).to_contain_text(RETURN_COMMENT)
    expect(learner.locator("[data-text]")).to_be_editable()
    step = learner.locator(".steps__item", has=learner.locator("a[aria-current='page']")).locator(".steps__status")
    expect(step).to_have_text("↺ Returned for revision")
    type_draft(learner, DANGER)
    wait_saved(learner)
    expect(learner.locator("[data-status]")).to_have_text("Draft")
    expect(step).to_have_text("✎ Draft")  # the steps list follows the badge once the revision is saved
    check_and_read(learner)
    assert_accessible(learner, "revised statement")
    shoot(learner, "revised-statement")
    learner.get_by_role("link", name="Submit for review").click()
    learner.get_by_role("button", name="Submit for trainer review").click()
    expect(learner.get_by_text("Submitted 1 statement for trainer review.")).to_be_visible()

    # Back in the trainer's queue: first, marked as come back to this trainer; claimed, it starts from the return.
    trainer.goto(f"{base}/review/")
    first = trainer.locator(".queue__item").first
    expect(first.locator(".queue__link")).to_have_text("Alex Learner · The Hill family")
    expect(first.locator(".tag--resubmitted")).to_have_text("Resubmitted to you")
    first.get_by_role("button", name="Claim The Hill family from Alex Learner").click()
    expect(trainer).to_have_url(url)
    expect(trainer.get_by_text("You are reviewing this set.")).to_be_visible()
    danger = trainer.locator(f"#work-{scene['danger']}")
    expect(danger.locator(".set-item__meta .tag--resubmitted")).to_have_text("Resubmitted after a return")
    expect(danger.locator(".diff ins").first).to_be_visible()
    assert "Grandma Rose" in " ".join(danger.locator(".diff ins").all_inner_texts())
    for row, score in zip(danger.locator("fieldset.rubric-row").all(), scores, strict=True):
        expect(row.get_by_label(score)).to_be_checked()
    expect(danger.get_by_label("Overall comment to the learner")).to_have_value(RETURN_COMMENT)
    expect(trainer.locator(f"#work-{scene['harm']} .decision--accept")).to_contain_text("Accepted")
    assert_accessible(trainer, "resubmitted set")
    shoot(trainer, "resubmitted-set")
    with live_app.app_context():
        assert db.session.get(Work, scene["danger"]).status == "in_review"
