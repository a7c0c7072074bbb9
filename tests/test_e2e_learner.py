"""End-to-end learner journeys in a real browser against a real server with CSRF on: from joining a cohort
to a verified certificate (with a trainer returning and accepting work in a second context), and the core
journey again driven by the keyboard alone."""
from __future__ import annotations

import re

import pytest

from course.completion.services import required_modules
from course.curriculum.services import get_module
from course.extensions import db
from course.models import User, Work
from course.quizzes.loader import get_quiz
from course.quizzes.services import POOL_ID
from tests.conftest import PASSWORD, browser_login
from tests.test_browser_curriculum import answer
from tests.test_pilot_support import complete_modules

pytestmark = pytest.mark.browser

VIGNETTE = "hill-family"
HARM_FIRST = ("On Saturday evening, after drinking eight beers, Marcus Hill grabbed Jayden (7) by the arm and Jayden's "
              "head hit the hallway wall. Jayden had four bruises on his arm.")
HARM_REVISED = (
    "On Saturday evening, after drinking eight beers, Marcus Hill grabbed Jayden (7) by the arm and Jayden's "
    "head hit the hallway wall. Jayden had four bruises on his arm and cried himself to sleep that night."
)
DANGER = ("Dana Ortiz and Grandma Rose are worried that when Marcus has been drinking and gets angry, he may grab "
          "or throw Jayden (7) again, and Jayden could break a bone or hurt his head.")
GOAL = ("Dana Ortiz and Aunt Keisha need to see Tanya take Jayden to Aunt Keisha's before Marcus starts drinking, "
        "even when football is on, every weekend for the next six months, so that Jayden feels safe at home.")
QUESTIONS = ("Marcus, tell me about a weekend when things stayed calm at home. What was different?\n"
             "Tanya, on a scale of 0 to 10, where are things today?\n"
             "Who is the first person you would call if things got tense?")
RETURN_COMMENT = "Say how Jayden was affected after that night, not only the bruises."
INLINE_COMMENT = "What did Jayden feel or do afterwards?"


@pytest.fixture(scope="module", autouse=True)
def nlp():
    """Load the grader once, before the live server needs it."""
    from grader import load_pipeline

    return load_pipeline()


def type_draft(page, text: str) -> None:
    """Type into the draft box the way a person does, so input events fire."""
    box = page.locator("[data-text]")
    box.click()
    box.fill(text[:-1])
    box.press_sequentially(text[-1])


def wait_saved(page) -> None:
    """Wait until the autosave status says the draft reached the server."""
    page.locator("[data-save-state]").filter(has_text=re.compile(r"^Saved \d")).wait_for()


def check_and_read(page) -> None:
    """Press Check and wait for the grader's report (checklist or question list) and its spoken summary."""
    before = page.locator("[data-history-link]").inner_text()
    page.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_function(
        "before => document.querySelector('[data-history-link]').textContent !== before", arg=before)
    page.locator("[data-report] .report").wait_for()
    page.wait_for_function("() => document.querySelector('[data-report-summary]').textContent.trim().length > 0")


def claim_set(page, base: str) -> None:
    """Claim Robin's Hill family set from the review queue and wait for the set screen."""
    page.goto(f"{base}/review/")
    page.get_by_role("button", name="Claim The Hill family from Robin Castillo").click()
    page.get_by_text("You are reviewing this set.").wait_for()
    page.wait_for_load_state("load")  # review.js is deferred: let it attach its listeners


def test_learner_joins_practises_is_returned_revises_and_earns_a_verified_certificate(
        live_app, live_server, live_factory, new_context, assert_accessible):
    base = live_server.url
    trainer_id = live_factory.user("trainer", email="tess.trainer@example.org", name="Tess Trainer")
    live_factory.cohort("Redding, April", code="RDG4PR", trainer_id=trainer_id)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()

    # Join the cohort with its code through the registration form.
    page.goto(f"{base}/auth/register")
    page.get_by_label("Cohort join code").fill("RDG4PR")
    page.get_by_label("Your name").fill("Robin Castillo")
    page.get_by_label("Email").fill("robin.castillo@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    page.get_by_text("Welcome, Robin Castillo. You have joined Redding, April.").wait_for()
    with live_app.app_context():
        learner = db.session.scalar(db.select(User).filter_by(email="robin.castillo@example.org"))
        learner_id = learner.id
        assert learner.cohort.join_code == "RDG4PR"

    # Read a module, then take its knowledge check from the end of the module.
    page.goto(f"{base}/modules/harm-statements")
    page.get_by_role("heading", level=1).first.wait_for()
    assert page.locator(".prose").inner_text().strip()
    page.locator(".module-check").get_by_role("link", name=re.compile("^Take the check")).click()
    page.wait_for_url("**/quizzes/harm-statements")
    with live_app.app_context():
        quiz = get_quiz("harm-statements")
    answer(page, quiz, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    assert "(100%)" in page.locator("#result-title").inner_text()

    # Map the vignette with each fact's column menu (the no-drag fallback) and place it on the scale.
    page.goto(f"{base}/exercises/{VIGNETTE}/mapping")
    with live_app.app_context():
        from course.vignettes import get_vignette

        facts = get_vignette(VIGNETTE).mapping_facts
    for fact in facts:
        page.locator(f'select[name="fact_{fact.id}"]').select_option(fact.category)
    page.locator(".scale__option", has_text="4").first.click()
    page.get_by_label("Why that number?").fill("Jayden was hurt, but Tanya has protected him before.")
    page.get_by_role("button", name="Check my map").click()
    page.get_by_text(f"{len(facts)} of {len(facts)}").first.wait_for()

    # Draft each statement and read the grader's feedback for it.
    for path, text in (("harm/1", HARM_FIRST), ("danger/1", DANGER), ("safety-goal/1", GOAL)):
        page.goto(f"{base}/exercises/{VIGNETTE}/write/{path}")
        type_draft(page, text)
        wait_saved(page)
        check_and_read(page)
        assert page.locator("[data-report] .checklist__item").count() >= 3, path
        assert page.locator("[data-report] .verdict").is_visible()
    page.goto(f"{base}/exercises/{VIGNETTE}/write/questions/1")
    type_draft(page, QUESTIONS)
    wait_saved(page)
    check_and_read(page)
    assert page.locator("[data-report] .question").count() == 3

    page.get_by_role("link", name="Submit for review").click()
    page.get_by_role("button", name="Submit for trainer review").click()
    page.get_by_text("Submitted 4 statements for trainer review").wait_for()

    # A trainer, in a second browser context, claims the learner's whole set, returns the harm statement with
    # comments and accepts the rest, all sent together.
    with live_app.app_context():
        works = {w.kind: w.id for w in db.session.scalars(db.select(Work).filter_by(user_id=learner_id))}
    trainer = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(trainer, base, "tess.trainer@example.org")
    claim_set(trainer, base)
    harm = trainer.locator(f"#work-{works['harm']}")
    harm.get_by_label("Words to comment on").fill("four bruises on his arm")
    harm.get_by_label("Comment", exact=True).fill(INLINE_COMMENT)
    harm.get_by_role("button", name="Add comment").click()
    trainer.wait_for_load_state()
    harm.locator("[data-statement] .seg--comment").first.wait_for()
    for kind, work_id in works.items():
        section = trainer.locator(f"#work-{work_id}")
        for row in section.locator("fieldset.rubric-row").all():
            row.get_by_label("Partly" if kind == "harm" else "Meets").check()
        if kind == "harm":
            section.get_by_label("Overall comment to the learner").fill(RETURN_COMMENT)
            section.get_by_label("Return for revision").check()
        else:
            section.get_by_label("Accept", exact=True).check()
    trainer.get_by_role("button", name="Send decisions").click()
    trainer.get_by_text("Sent: 3 statements accepted and 1 statement returned.").wait_for()

    # The learner sees the harm statement returned, with the overall and the inline comment, and revises it.
    page.goto(f"{base}/exercises/{VIGNETTE}/write/harm/1")
    feedback = page.locator("section.feedback.card").first
    assert "Returned for revision." in feedback.inner_text()
    assert RETURN_COMMENT in feedback.inner_text() and INLINE_COMMENT in feedback.inner_text()
    assert feedback.locator(".seg--comment").first.inner_text() == "four bruises on his arm"
    assert page.locator("[data-text]").get_attribute("readonly") is None
    assert_accessible(page, "returned statement with trainer feedback")
    type_draft(page, HARM_REVISED)
    wait_saved(page)
    check_and_read(page)
    page.get_by_role("link", name="Submit for review").click()
    page.get_by_role("button", name="Submit for trainer review").click()
    page.get_by_text(re.compile(r"Submitted 1 statement")).wait_for()

    # The trainer sees what changed since the return, and accepts.
    claim_set(trainer, base)
    harm = trainer.locator(f"#work-{works['harm']}")
    # Every Check keeps a version too, so the returned one is not necessarily version 1.
    expect_summary = harm.locator("details.set-diff summary")
    assert re.match(r"^Changes since the version reviewed before \(version \d+\)", expect_summary.inner_text())
    added = " ".join(harm.locator(".diff ins").all_inner_texts())
    assert "cried himself to sleep" in added, added
    assert "arm." in " ".join(harm.locator(".diff del").all_inner_texts())
    for row in harm.locator("fieldset.rubric-row").all():
        row.get_by_label("Meets").check()
    harm.get_by_label("Accept", exact=True).check()
    trainer.get_by_role("button", name="Send decisions").click()
    trainer.get_by_text("Sent: 1 statement accepted.").wait_for()
    with live_app.app_context():
        statuses = {w.kind: w.status for w in db.session.scalars(db.select(Work).filter_by(user_id=learner_id))}
    assert statuses == {"harm": "accepted", "danger": "accepted", "safety_goal": "accepted", "sf_question": "accepted"}

    # Module feedback, then finish what the certificate needs. To keep the run short, every required module
    # but the last is completed as the rules count it (a passed check) directly in the database; the last
    # check, the post-course check and the evaluation are done in the browser.
    with live_app.app_context():
        modules = [m.id for m in required_modules()]
        complete_modules(learner_id, modules[:-1])
        last, pool = get_quiz(get_module(modules[-1]).quiz), get_quiz(POOL_ID)
    page.goto(f"{base}/modules/{modules[-1]}")
    form = page.locator("#feedback")
    form.get_by_role("group", name="How useful was this module for your work?").get_by_label("5").check()
    form.get_by_role("group", name="How clear was this module?").get_by_label("4").check()
    form.get_by_label("Comment (optional)").fill("Putting the pieces together in one case helped.")
    form.get_by_role("button", name="Send feedback").click()
    page.get_by_text("you rated it 5 of 5 for usefulness and 4 of 5 for clarity").wait_for()
    page.locator("#module-status").get_by_role("link", name="Take the knowledge check").click()
    answer(page, last, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    page.goto(f"{base}/quizzes/{POOL_ID}/post")
    answer(page, pool, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    page.goto(f"{base}/pilot/evaluation")
    page.get_by_role("button", name="I would rather not give an evaluation").click()
    page.wait_for_load_state()

    page.goto(f"{base}/pilot/certificate")
    page.get_by_role("heading", name="Certificate of completion").wait_for()
    assert page.locator(".certificate__name").inner_text() == "Robin Castillo"
    code = page.locator(".certificate__code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert_accessible(page, "certificate")

    visitor = new_context(viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto(f"{base}/verify/{code}")
    visitor.get_by_role("heading", name="Certificate verified").wait_for()
    assert "Robin Castillo" in visitor.content()
    assert "robin.castillo@example.org" not in visitor.content()


# ---------------------------------------------------------------- keyboard only

def tab_to(page, selector: str, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches the selector."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector!r} never received focus after {limit} presses of {key}")


def assert_focus_visible(page, label: str) -> None:
    """Assert the focused element shows a visible focus indicator (an outline or a ring)."""
    style = page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow,
                visible: document.activeElement.matches(':focus-visible')};
    }""")
    has_outline = style["style"] not in ("none", "") and style["width"] >= 1
    assert style["visible"] and (has_outline or style["shadow"] not in ("none", "")), (
        f"no visible focus on {label}: {style}")


def test_core_learner_journey_by_keyboard_alone(live_app, live_server, live_factory, page):
    base = live_server.url
    cohort = live_factory.cohort("Keyboard cohort")
    email = live_factory.email(live_factory.user("learner", name="Kim Keys", cohort_id=cohort))

    page.goto(f"{base}/auth/login")
    tab_to(page, "input[name=email]")
    assert_focus_visible(page, "email field")
    page.keyboard.type(email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Kim Keys")).wait_for()

    # Open the opening module (the one kind that is marked, having no check or activity) and mark it complete.
    tab_to(page, "a[href='/modules/welcome']")
    assert_focus_visible(page, "module link")
    module_href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{module_href}")
    tab_to(page, ".module-footer__complete button[type=submit]")
    assert_focus_visible(page, "Mark complete button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    module_id = module_href.rsplit("/", 1)[-1]
    with live_app.app_context():
        from course.models import ModuleProgress

        row = db.session.scalar(db.select(ModuleProgress).filter_by(module_id=module_id))
        assert row is not None and row.completed_at is not None

    # Practice -> the Hill family case -> the harm statement, all by following links with Enter.
    tab_to(page, "a[href='/exercises/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/exercises/")
    tab_to(page, f"a[href='/exercises/{VIGNETTE}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/exercises/{VIGNETTE}")
    tab_to(page, f"a[href='/exercises/{VIGNETTE}/write/harm/1']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/exercises/{VIGNETTE}/write/harm/1")
    page.wait_for_load_state("load")

    tab_to(page, "textarea[data-text]")
    assert_focus_visible(page, "draft box")
    page.keyboard.type(HARM_REVISED)
    wait_saved(page)
    tab_to(page, "[data-check]")
    assert_focus_visible(page, "Check button")
    page.keyboard.press("Space")
    page.locator("[data-history-link]").filter(has_text="(1)").wait_for()
    page.locator("[data-report] .report").wait_for()
    summary = page.locator("[data-report-summary]")
    page.wait_for_function("() => document.querySelector('[data-report-summary]').textContent.trim().length > 0")
    assert summary.text_content().strip()
    checklist = page.locator("[data-report] .checklist__item")
    assert checklist.count() >= 3 and page.locator("[data-report] .verdict").is_visible()

    # Shift+Tab back up to the steps list is not needed: Submit for review follows in the aside.
    tab_to(page, f"a[href='/exercises/{VIGNETTE}/submit']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/exercises/{VIGNETTE}/submit")
    tab_to(page, "main form [type=submit]")
    assert_focus_visible(page, "Submit for trainer review")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text("Submitted 1 statement for trainer review").wait_for()
    with live_app.app_context():
        work = db.session.scalar(db.select(Work).filter_by(vignette_id=VIGNETTE, kind="harm"))
        assert work.status == "submitted" and work.draft_text == HARM_REVISED
    # Shift+Tab walks focus back the way it came.
    tab_to(page, "a.brand", backwards=True)
    assert_focus_visible(page, "site name link")
