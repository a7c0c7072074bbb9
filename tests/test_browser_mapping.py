"""Browser tests for the mapping board: it never loses a placed fact or an entry (a navigation, a reload, a
closed tab while offline, a second tab), facts move by keyboard, entries are checked, versions restore, axe."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.browser

PATH = "/exercises/hill-family/mapping"
LABELLED = "Marcus is an abusive alcoholic."


@pytest.fixture(scope="module", autouse=True)
def nlp():
    """Load the grader once, before the live server needs it."""
    from grader import load_pipeline

    return load_pipeline()


@pytest.fixture
def learner(live_factory):
    return live_factory.email(live_factory.user("learner"))


def _facts(page) -> list[str]:
    return page.evaluate("() => Array.from(document.querySelectorAll('[data-fact]')).map(c => c.dataset.fact)")


def _wait_saved(page):
    page.locator("[data-save-state]").filter(has_text="Saved just now").wait_for()


def _saved(page, base: str) -> dict:
    """Return the board the server has (what another device would see)."""
    return page.evaluate("url => fetch(url, {headers: {Accept: 'application/json'}}).then(r => r.json())",
                         base + PATH + "/saved")


def _column(page, fact: str) -> str | None:
    return page.locator(f'[data-fact="{fact}"]').evaluate("c => c.closest('[data-zone]').dataset.zone")


def test_board_survives_navigation_reload_and_a_second_tab(new_context, live_server, learner, assert_accessible):
    context = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused = []  # the Content Security Policy allows no inline script or style: nothing may be refused
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    browser_login(page, live_server.url, learner)
    page.goto(live_server.url + PATH)
    assert page.locator("[data-save-state]").text_content() == "Not started yet"
    assert_accessible(page, "empty mapping board")
    facts = _facts(page)
    # Fact 1 by keyboard: pick up, one column on (pool -> harm), drop.
    grab = page.locator(f'[data-fact="{facts[0]}"] .fact__grab')
    grab.focus()
    page.keyboard.press("Space")
    assert grab.get_attribute("aria-pressed") == "true"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Space")
    assert _column(page, facts[0]) == "harm"
    assert page.locator(f'select[name="fact_{facts[0]}"]').input_value() == "harm"
    assert page.evaluate("() => document.activeElement.classList.contains('fact__grab')")
    # Escape puts a lifted fact back where it was.
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    assert _column(page, facts[0]) == "harm"
    # Fact 2 through its menu, then an entry of the learner's own, added with Enter and checked.
    page.locator(f'select[name="fact_{facts[1]}"]').select_option("danger")
    box = page.get_by_label("Add to What needs to happen")
    box.fill(LABELLED)
    box.press("Enter")
    entry = page.locator('[data-column="needs"] [data-entry]')
    entry.locator(".flag").first.wait_for()  # the label is flagged beside the entry
    _wait_saved(page)
    assert_accessible(page, "mapping board with a flagged entry")
    # A second entry, moved up by keyboard, then to another column with its menu and back.
    box.fill("Tanya takes Jayden to Aunt Keisha's before Marcus starts drinking.")
    box.press("Enter")
    up = page.get_by_role("button", name="Move up: What needs to happen, entry 2")
    up.focus()
    page.keyboard.press("Enter")
    texts = page.locator('[data-column="needs"] [data-entry-text]')
    assert texts.nth(0).input_value().startswith("Tanya takes Jayden")
    assert page.evaluate("() => document.activeElement.dataset.entryMove") == "up"
    page.get_by_label("Column for What needs to happen, entry 2").select_option("grey")
    assert page.locator('[data-column="grey"] [data-entry-text]').input_value() == LABELLED
    page.get_by_label("Column for Grey area, entry 1").select_option("needs")
    _wait_saved(page)

    page.get_by_role("link", name="The Hill family").click()  # the breadcrumb: what lost the work before
    page.go_back()
    assert _column(page, facts[0]) == "harm" and _column(page, facts[1]) == "danger"
    page.reload()
    assert _column(page, facts[0]) == "harm" and _column(page, facts[1]) == "danger"
    assert page.locator('[data-column="needs"] [data-entry-text]').nth(1).input_value() == LABELLED
    assert page.locator('[data-column="needs"] .flag').count() >= 1  # the check is kept with the entry

    # Fact 5 dragged with the pointer into Strengths (the ghost that follows the pointer is styled from script).
    page.locator('[data-zone=""]').scroll_into_view_if_needed()
    handle = page.locator(f'[data-fact="{facts[4]}"] .fact__grab').bounding_box()
    page.mouse.move(handle["x"] + 10, handle["y"] + 10)
    page.mouse.down()
    page.mouse.move(handle["x"] + 40, handle["y"] + 40, steps=4)
    target = page.locator('[data-zone="strength"] .zone__title').bounding_box()
    page.mouse.move(target["x"] + 30, target["y"] + 10, steps=8)
    page.mouse.up()
    assert _column(page, facts[4]) == "strength"
    _wait_saved(page)
    assert not refused, refused

    # A second tab saves first; this tab's next change meets the conflict banner and keeps both.
    other = context.new_page()
    other.goto(live_server.url + PATH)
    other.locator(f'select[name="fact_{facts[2]}"]').select_option("grey")
    _wait_saved(other)
    page.locator(f'select[name="fact_{facts[3]}"]').select_option("strength")
    banner = page.locator("[data-conflict]")
    banner.wait_for()
    assert "another tab or window" in banner.text_content()
    page.get_by_role("button", name="Load the newer version and keep my changes").click()
    _wait_saved(page)
    placements = _saved(page, live_server.url)["state"]["placements"]
    assert placements == {facts[0]: "harm", facts[1]: "danger", facts[2]: "grey", facts[3]: "strength",
                          facts[4]: "strength"}


def test_changes_made_offline_come_back_after_the_tab_is_closed(new_context, live_server, learner):
    context = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    browser_login(page, live_server.url, learner)
    page.goto(live_server.url + PATH)
    facts = _facts(page)
    page.locator(f'select[name="fact_{facts[0]}"]').select_option("harm")
    _wait_saved(page)
    context.set_offline(True)
    page.locator(f'select[name="fact_{facts[1]}"]').select_option("complicating")
    unclear = page.get_by_label("Add to Grey area")
    unclear.click()  # a real gesture: browsers only warn on leaving a page the person has used
    unclear.press_sequentially("Nobody knows how often Marcus drinks")  # typed, not added
    page.locator("[data-save-state]").filter(has_text="offline").wait_for()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    if not page.is_closed():
        page.wait_for_event("close")
    assert dialogs == ["beforeunload"]  # leaving with unsaved changes warns
    context.set_offline(False)
    again = context.new_page()
    again.goto(live_server.url + PATH)
    # Made on top of the saved board: put back at once and saved.
    again.locator("[data-board-live]").filter(has_text="had not reached the course").wait_for()
    _wait_saved(again)
    assert _column(again, facts[1]) == "complicating"
    assert again.get_by_label("Add to Grey area").input_value() == "Nobody knows how often Marcus drinks"
    assert _saved(again, live_server.url)["state"]["placements"] == {facts[0]: "harm", facts[1]: "complicating"}


def test_an_earlier_version_is_restored_at_phone_width(new_context, live_server, learner, assert_accessible):
    context = new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    browser_login(page, live_server.url, learner)
    page.goto(live_server.url + PATH)
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(overflow) <= 0
    facts = _facts(page)
    page.locator(f'select[name="fact_{facts[0]}"]').select_option("harm")
    page.get_by_role("button", name="Save my map").click()
    _wait_saved(page)
    page.locator(f'select[name="fact_{facts[0]}"]').select_option("")  # moved back by mistake
    page.get_by_role("button", name="Save my map").click()
    _wait_saved(page)
    page.get_by_role("link", name="Earlier versions of this map (2)").click()
    assert_accessible(page, "map versions at 360px")
    assert page.evaluate(overflow) <= 0
    page.get_by_role("button", name="Restore this version").first.click()
    page.get_by_text("Restored that version").wait_for()
    assert _column(page, facts[0]) == "harm"
    assert page.locator("[data-restore]").is_hidden()  # nothing left over in this browser to offer back


def test_the_board_works_without_javascript(new_context, live_server, learner):
    context = new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    browser_login(page, live_server.url, learner)
    page.goto(live_server.url + PATH)
    assert page.locator(".fact__grab").count() == 0  # no Move buttons: each fact's menu places it
    facts = _facts(page)
    page.locator(f'select[name="fact_{facts[0]}"]').select_option("harm")
    page.get_by_label("Add to What needs to happen").fill(LABELLED)
    page.get_by_role("button", name="Add to What needs to happen").click()
    expect(page).to_have_url(re.compile("#column-needs$"))
    assert page.locator('[data-column="needs"] .flag').count() >= 1  # checked on the server, shown on the page
    assert page.locator(f'select[name="fact_{facts[0]}"]').input_value() == "harm"  # saved with the Add button
    page.get_by_role("button", name="Move up: What needs to happen, entry 1").click()  # already first: no change
    page.get_by_role("button", name="Remove What needs to happen, entry 1").click()
    expect(page.locator('[data-column="needs"] [data-entry]')).to_have_count(0)
    page.get_by_role("button", name="Check my map").click()
    expect(page.locator("#form-errors").filter(has_text="still need a column")).to_be_visible()  # saved, not checked
    assert page.locator(f'select[name="fact_{facts[0]}"]').input_value() == "harm"
