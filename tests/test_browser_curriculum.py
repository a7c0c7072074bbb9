"""Browser journey through the curriculum features: pre-check, module with a glossary popover, module check,
the locked post-check, then the post-check with the gain; axe-core on the quiz, glossary and objectives pages;
no sideways scrolling at 360 px."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from course.quizzes.loader import get_quiz
from course.quizzes.services import POOL_ID, required_modules
from tests.conftest import browser_login
from tests.quiz_forms import answer_data
from tests.test_pilot_support import complete_modules

pytestmark = pytest.mark.browser


def answer(page, quiz, right: bool) -> None:
    """Fill every question on a check page, all right or (where possible) wrong, by each choice's visible text."""
    page.wait_for_url("**/quizzes/**")
    page.wait_for_load_state()  # the whole form: a page read mid-load holds only some of the questions
    for name, value in answer_data(page.content(), quiz, right).items():
        if name == "attempt":
            continue
        if page.locator(f'select[name="{name}"]').count():
            page.select_option(f'select[name="{name}"]', value=value)
        else:
            for one in value:
                page.check(f'input[name="{name}"][value="{one}"]')


def test_learner_journey_pre_module_glossary_check_post(page, live_server, live_factory, live_app, assert_accessible):
    user_id = live_factory.user(name="Pat Learner")
    base = live_server.url
    with live_app.app_context():
        pool, check = get_quiz(POOL_ID), get_quiz("key-terms-check")
    browser_login(page, base, live_factory.email(user_id))

    # Pre-course check from the course home; the result appears in place.
    page.get_by_role("link", name="Take the pre-course check").first.click()
    page.wait_for_url("**/quizzes/key-terms/pre")
    assert_accessible(page, "pre-course check")
    page.get_by_role("button", name="Check my answers").click()  # nothing answered yet
    expect(page.locator(".quiz-item--error")).to_have_count(len(pool.items_for("pre")))
    assert "still need an answer" in page.locator("[data-quiz-live]").inner_text()
    answer(page, pool, right=False)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    assert "Your result: 0 of" in page.locator("#result-title").inner_text()
    assert page.evaluate("document.activeElement.id") == "quiz-result"
    assert "explanations appear after" in page.content()

    # Read a module and open a glossary popover with the keyboard.
    page.goto(f"{base}/modules/key-terms")
    term = page.locator(".prose button.gloss__term").first
    popover_id = term.get_attribute("aria-controls")
    assert term.get_attribute("aria-expanded") == "false"
    term.focus()
    page.keyboard.press("Enter")
    popover = page.locator(f"#{popover_id}")
    assert term.get_attribute("aria-expanded") == "true" and popover.is_visible()
    assert popover.get_attribute("role") == "dialog"
    assert page.evaluate("document.activeElement.id") == popover_id
    page.keyboard.press("Escape")
    assert popover.is_hidden() and term.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('gloss__term')")
    page.keyboard.press("Space")
    assert popover.is_visible()
    page.mouse.click(5, 5)  # a click or tap elsewhere closes it
    assert popover.is_hidden()

    # The module's knowledge check, from the end of the module; explanations show after answering.
    page.locator(".module-check").get_by_role("link", name=re.compile("^Take the check")).click()
    page.wait_for_url("**/quizzes/key-terms-check")
    answer(page, check, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    assert "(100%)" in page.locator("#result-title").inner_text()
    first_item = check.items[0]
    first_part = (first_item.options or first_item.pairs or first_item.entries)[0]
    assert page.get_by_text(first_part.explanation).first.is_visible()
    assert page.locator(".result-item__verdict").first.inner_text().strip().startswith("✓")
    assert_accessible(page, "module check result")

    # Right after the pre-course check the main step is the course, not the post-course check, which stays
    # locked until the required modules are complete; then its parallel questions open and the gain is shown.
    page.goto(f"{base}/quizzes/")
    assert page.get_by_role("link", name="Take the post-course check").count() == 0
    page.goto(f"{base}/quizzes/{POOL_ID}/post")
    assert "not open yet" in page.locator("h1").inner_text()
    with live_app.app_context():
        complete_modules(user_id, [m.id for m in required_modules()])
    page.goto(f"{base}/quizzes/{POOL_ID}/post")
    answer(page, pool, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    assert page.locator("[data-gain]").inner_text().strip() == "+100 points"
    page.goto(base + "/")
    assert "+100 points" in page.locator(".home-checks").inner_text()


@pytest.mark.parametrize("width", [1280, 360])
def test_curriculum_pages_are_accessible_and_fit_the_screen(
    new_context, live_server, live_factory, assert_accessible, width
):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    browser_login(page, live_server.url, live_factory.email(live_factory.user()))
    for path in ("/quizzes/", "/quizzes/mapping", f"/quizzes/{POOL_ID}/pre", f"/quizzes/{POOL_ID}/post", "/glossary",
                 "/objectives"):
        page.goto(live_server.url + path)
        assert_accessible(page, f"{path} at {width}px")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"


def test_quiz_works_without_javascript(new_context, live_server, live_factory, live_app):
    user_id = live_factory.user()
    with live_app.app_context():
        quiz = get_quiz("icpm")
    page = new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False).new_page()
    browser_login(page, live_server.url, live_factory.email(user_id))
    page.goto(f"{live_server.url}/quizzes/icpm")
    answer(page, quiz, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_url("**/quizzes/attempts/*")
    assert "(100%)" in page.locator("#result-title").inner_text()
    page.goto(f"{live_server.url}/modules/key-terms")
    link = page.locator(".prose a.gloss__term").first
    assert link.get_attribute("href").startswith("/glossary#")
