"""Browser tests for the practice cases: the whole flow, autosave and restore, conflicts, offsets, phone width, axe."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.browser

HARM = ("On Saturday evening, after drinking eight beers, Marcus Hill grabbed Jayden (7) by the arm and Jayden's "
        "head hit the hallway wall. Jayden had four bruises on his arm and cried himself to sleep that night.")
DANGER = ("Dana Ortiz and Grandma Rose are worried that when Marcus has been drinking and gets angry, he may grab "
          "or throw Jayden (7) again, and Jayden could break a bone or hurt his head.")
GOAL = ("Dana Ortiz and Aunt Keisha need to see Tanya take Jayden to Aunt Keisha's before Marcus starts drinking, "
        "even when football is on, every weekend for the next six months, so that Jayden feels safe at home.")
QUESTIONS = ("Marcus, tell me about a weekend when things stayed calm at home. What was different?\n"
             "Tanya, on a scale of 0 to 10, where are things today?\n"
             "Who is the first person you would call if things got tense?")


@pytest.fixture(scope="module", autouse=True)
def nlp():
    """Load the grader once, before the live server needs it."""
    from grader import load_pipeline

    return load_pipeline()


@pytest.fixture
def learner(live_factory):
    return live_factory.email(live_factory.user("learner"))


def _open(page, live_server, learner, path):
    browser_login(page, live_server.url, learner)
    page.goto(live_server.url + path)


def _type(page, text):
    """Type into the draft box the way a person does, so input events fire."""
    box = page.locator("[data-text]")
    box.click()
    box.fill(text[:-1])
    box.press_sequentially(text[-1])


def _wait_saved(page):
    page.locator("[data-save-state]").filter(has_text=re.compile(r"^Saved \d")).wait_for()


def test_whole_flow_for_one_vignette(page, live_server, learner, assert_accessible):
    _open(page, live_server, learner, "/exercises/")
    assert_accessible(page, "exercises index")
    page.get_by_role("link", name="Open the case: The Hill family").click()
    expect(page.locator(".content-notes-box")).to_be_visible()
    assert_accessible(page, "case page")

    page.get_by_role("link", name="Map it").click()
    expect(page.locator("form[data-mapping]")).to_be_visible()
    assert_accessible(page, "mapping board")
    cards = page.locator("[data-fact]")
    count = cards.count()
    facts = page.evaluate("() => Array.from(document.querySelectorAll('[data-fact]')).map(c => c.dataset.fact)")
    # Fact 1 by keyboard: pick up, arrow right once (pool -> harm), drop.
    grab = page.locator(f'[data-fact="{facts[0]}"] .fact__grab')
    grab.focus()
    page.keyboard.press("Space")
    assert grab.get_attribute("aria-pressed") == "true"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert page.locator(f'[data-zone="harm"] [data-fact="{facts[0]}"]').count() == 1
    assert page.locator(f'select[name="fact_{facts[0]}"]').input_value() == "harm"
    assert "Placed in Harm" in page.locator("[data-board-live]").text_content()
    # The rest (but fact 2) through each card's column menu.
    answers = dict(zip(facts[2:], ["danger", "danger", "complicating", "complicating", "strength", "strength",
                                   "strength", "strength", "safety", "safety", "grey", "grey"], strict=True))
    for fid, column in answers.items():
        page.locator(f'select[name="fact_{fid}"]').select_option(column)
    # Fact 2 by dragging with the pointer into Danger.
    page.locator('[data-zone=""]').scroll_into_view_if_needed()
    handle = page.locator(f'[data-fact="{facts[1]}"] .fact__grab').bounding_box()
    target = page.locator('[data-zone="danger"] .zone__title').bounding_box()
    page.mouse.move(handle["x"] + 10, handle["y"] + 10)
    page.mouse.down()
    page.mouse.move(handle["x"] + 40, handle["y"] + 40, steps=4)
    page.mouse.move(target["x"] + 30, target["y"] + 10, steps=8)
    page.mouse.up()
    assert page.locator(f'select[name="fact_{facts[1]}"]').input_value() == "danger"
    assert page.locator('[data-zone=""] [data-fact]').count() == 0
    page.locator(".scale__option", has_text="4").first.click()
    page.get_by_label("Why that number?").fill("Jayden was hurt, but Tanya has protected him three times.")
    page.get_by_role("button", name="Check my map").click()
    page.wait_for_url(re.compile(r"/mapping/\d+$"))  # the board saves first, then the check opens the result
    assert page.get_by_text(f"of {count}").first.is_visible()
    assert page.locator(".result").count() == count
    assert_accessible(page, "mapping result")

    for path, text in (("harm/1", HARM), ("danger/1", DANGER), ("safety-goal/1", GOAL)):
        page.goto(f"{live_server.url}/exercises/hill-family/write/{path}")
        _type(page, text)
        page.locator("[data-report] .report").wait_for()  # live feedback after the pause
        _wait_saved(page)
        page.get_by_role("button", name="Check", exact=True).click()
        page.locator("[data-history-link]").filter(has_text="(1)").wait_for()
        summary = page.locator("[data-report-summary]")
        assert summary.get_attribute("aria-live") == "polite"
        page.wait_for_function("() => document.querySelector('[data-report-summary]').textContent.length > 0")
        assert page.locator(".checklist__item").count() >= 4
        assert_accessible(page, f"statement {path}")

    page.goto(f"{live_server.url}/exercises/hill-family/write/questions/1")
    _type(page, QUESTIONS)
    page.locator("[data-report] .questions").wait_for()
    assert page.locator(".question").count() == 3
    _wait_saved(page)

    page.get_by_role("link", name="Submit for review").click()
    assert_accessible(page, "submit page")
    page.get_by_role("button", name="Submit for trainer review").click()
    expect(page.get_by_text("Submitted 4 statements for trainer review")).to_be_visible()
    page.goto(f"{live_server.url}/exercises/hill-family/write/harm/1")
    assert page.locator("[data-text]").get_attribute("readonly") is not None


def test_autosave_then_closed_tab_comes_back(new_context, live_server, learner):
    context = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _open(page, live_server, learner, "/exercises/ruiz-family/write/harm/1")
    _type(page, "Ana left Mia (4) and Leo (2) alone on Saturday night 🙂.")
    _wait_saved(page)
    page.close()
    again = context.new_page()
    again.goto(f"{live_server.url}/exercises/ruiz-family/write/harm/1")
    assert again.locator("[data-text]").input_value() == "Ana left Mia (4) and Leo (2) alone on Saturday night 🙂."
    assert again.locator("[data-restore]").is_hidden()
    assert re.match(r"Saved \d\d:\d\d", again.locator("[data-save-state]").text_content())


def test_unsaved_local_copy_is_offered_back_and_leaving_warns(new_context, live_server, learner):
    context = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _open(page, live_server, learner, "/exercises/ruiz-family/write/harm/1")
    _type(page, "Saved on the server.")
    _wait_saved(page)
    context.set_offline(True)
    _type(page, "Typed while offline, never reached the server.")
    page.locator("[data-save-state]").filter(has_text="offline").wait_for(timeout=8000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    page.wait_for_event("close") if not page.is_closed() else None
    assert dialogs == ["beforeunload"]
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{live_server.url}/exercises/ruiz-family/write/harm/1")
    assert again.locator("[data-text]").input_value() == "Saved on the server."
    banner = again.locator("[data-restore]")
    banner.wait_for()
    assert "newer copy" in banner.text_content()
    again.get_by_role("button", name="Restore it").click()
    assert again.locator("[data-text]").input_value() == "Typed while offline, never reached the server."
    _wait_saved(again)


def test_two_tabs_conflict_is_shown_and_resolved(new_context, live_server, learner):
    context = new_context(viewport={"width": 1280, "height": 900})
    first = context.new_page()
    _open(first, live_server, learner, "/exercises/nguyen-family/write/harm/1")
    second = context.new_page()
    second.goto(f"{live_server.url}/exercises/nguyen-family/write/harm/1")
    _type(first, "Written in the first tab.")
    _wait_saved(first)
    _type(second, "Written in the second tab.")
    banner = second.locator("[data-conflict]")
    banner.wait_for()
    assert "another tab or window" in banner.text_content()
    assert "Written in the first tab." in banner.locator("[data-conflict-text]").text_content()
    second.get_by_role("button", name="Keep my text and save it").click()
    _wait_saved(second)
    first.reload()
    assert first.locator("[data-text]").input_value() == "Written in the second tab."


def test_offsets_convert_to_utf16_in_the_browser(page, live_server, learner):
    _open(page, live_server, learner, "/exercises/hill-family/write/harm/1")
    converted = page.evaluate("""() => {
        const t = "a😀b👍🏽c孩d";
        const f = SOP.exercises.cpToUtf16;
        return [f(t, 0), f(t, 1), f(t, 2), f(t, 3), f(t, 4), f(t, 5), f(t, 6), f(t, 7), f(t, 8), f(t, 99)];
    }""")
    assert converted == [0, 1, 3, 4, 6, 8, 9, 10, 11, 11]
    text = "🙂 On Saturday 👍🏽 Marcus neglected Zoë’s brother Jayden."
    _type(page, text)
    page.get_by_role("button", name="Check", exact=True).click()
    page.locator(".flag").first.wait_for()
    assert (
        page.locator(".flag").first.text_content().replace("[flagged: ", "").replace("]", "").startswith("⚑neglected")
    )
    page.locator(".finding__locate").first.click()
    selected = page.evaluate("() => { const t = document.querySelector('[data-text]'); "
                             "return t.value.slice(t.selectionStart, t.selectionEnd); }")
    assert selected == "neglected"


def test_phone_width_mapping_and_statement(new_context, live_server, learner, assert_accessible):
    context = new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    _open(page, live_server, learner, "/exercises/okafor-family/mapping")
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(overflow) <= 0
    first = page.locator("[data-fact] .fact__grab").first
    first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.locator('[data-zone="harm"] [data-fact]').count() == 1
    assert_accessible(page, "mapping at 360px")
    page.goto(f"{live_server.url}/exercises/okafor-family/write/harm/1")
    assert page.evaluate(overflow) <= 0
    page.get_by_label("No harm statement is due for this family").check()
    assert page.locator("[data-text-label]").text_content() == "Why no harm statement is due"
    _type(page, "Amara has not been hurt so far; the worries are about what could happen at night.")
    page.locator(".verdict--ready").wait_for()
    assert page.evaluate(overflow) <= 0
    assert_accessible(page, "statement at 360px")
