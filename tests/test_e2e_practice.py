"""The network and child-interview exercises in a real browser (CSRF on, CSP sent): a learner fills each plan,
checks it and reads the feedback; the pages pass axe at 1280 and 360 px, fit a phone and break no CSP rule."""
from __future__ import annotations

import os

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("PRACTICE_SHOTS")  # a folder for screenshots when set (kept out of git)


@pytest.fixture(scope="module", autouse=True)
def nlp():
    """Load the grader once, before the live server needs it."""
    from grader import load_pipeline

    return load_pipeline()


def _watch_csp(page) -> list[str]:
    """Collect the browser's Content Security Policy complaints."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    return seen


def _fits(page, width: int) -> None:
    """Assert nothing makes the page scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _shot(page, name: str) -> None:
    """Save a full-page screenshot when PRACTICE_SHOTS names a folder."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 360])
def test_network_exercise_in_a_browser(live_server, live_factory, new_context, assert_accessible, width):
    live_factory.user(email="net@example.org")
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    csp = _watch_csp(page)
    browser_login(page, live_server.url, "net@example.org")
    page.goto(f"{live_server.url}/exercises/hill-family/network")
    assert_accessible(page, f"network exercise, empty, {width}px")
    _fits(page, width)
    for name, circle in (("Tanya Hill", "Knows all the worries"), ("Marcus Hill", "Knows all the worries"),
                         ("Keisha Brown", "Knows all the worries"), ("Rose Hill", "Knows all the worries"),
                         ("Ms. Lee", "Knows none of the worries yet")):
        page.get_by_label(f"Circle for {name}").select_option(label=circle)
    page.get_by_label("Would Keisha Brown make a good network member?").select_option("good")
    page.get_by_label("Your first orientation").fill(
        "Rose, the referral says Marcus is in denial. Last Saturday he grabbed Jayden's arm after drinking.")
    page.get_by_role("button", name="Save and check").click()
    page.get_by_text("4 of 5 people are where the case points").wait_for()
    feedback = page.locator(".practice-feedback")
    assert "Ms. Lee" in feedback.inner_text() and "System jargon" in feedback.inner_text()
    assert page.get_by_label("Circle for Ms. Lee").input_value() == "none"  # the answers stay in the form
    assert_accessible(page, f"network exercise, checked, {width}px")
    _fits(page, width)
    _shot(page, f"network-{width}")
    assert not csp, csp


@pytest.mark.parametrize("width", [1280, 360])
def test_child_interview_in_a_browser(live_server, live_factory, new_context, assert_accessible, width):
    live_factory.user(email="child@example.org")
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    csp = _watch_csp(page)
    browser_login(page, live_server.url, "child@example.org")
    page.goto(f"{live_server.url}/exercises/nguyen-family/child-interview")
    page.get_by_role("link", name="An").click()
    page.get_by_role("heading", name="Plan a conversation with An Nguyen (5)").wait_for()
    page.get_by_label("Safety House").check()
    page.get_by_label("Your opening").fill("Hi An, I'm Priya. I help families. We will draw a house together, "
                                            "and there are no wrong answers.")
    page.get_by_label("Your questions, one per line").fill(
        "Who lives inside your safe house?\nWhy were you by the road?\nWhere are you on the path today?")
    page.get_by_label("Sharing the houses with the parents").fill(
        "Is it okay if I show your house to your mom? What should I tell her?")
    page.get_by_role("button", name="Save and check").click()
    page.locator(".report").wait_for()
    assert "Why question" in page.locator(".practice-feedback").inner_text()
    assert page.get_by_label("Safety House").is_checked()
    assert_accessible(page, f"child interview, checked, {width}px")
    _fits(page, width)
    _shot(page, f"child-interview-{width}")
    page.goto(f"{live_server.url}/exercises/okafor-family/child-interview")
    assert_accessible(page, f"child interview, no child old enough, {width}px")
    assert not csp, csp
