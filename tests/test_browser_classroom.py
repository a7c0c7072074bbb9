"""Classroom mode in real browsers: a trainer console, a projector and three learner phones at once."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser

LEARNER_NAMES = ["Quentin Marlowe-Ashby", "Beatrix Okonkwo-Vale", "Ignatius Pembroke"]
SHOTS = Path(os.environ.get("SOP_CLASSROOM_SHOTS", "/tmp/shots-classroom"))


@pytest.fixture
def classroom(live_server, live_factory, new_context):
    """A running session: console (laptop), projector (1920x1080) and three learners (phones, 360 wide)."""
    trainer = live_factory.user("trainer", email="trainer@example.org", name="Tess Trainer")
    cohort = live_factory.cohort(name="Fresno pilot", trainer_id=trainer)
    for i, name in enumerate(LEARNER_NAMES):
        live_factory.user("learner", email=f"learner{i}@example.org", name=name, cohort_id=cohort)

    console = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    browser_login(console, live_server.url, "trainer@example.org")
    console.goto(f"{live_server.url}/classroom/")
    console.get_by_label("First module on the screen").select_option("welcome")
    console.get_by_role("button", name="Start session").click()
    console.wait_for_selector("#console[data-slide]")
    screen_code = console.locator("#screen-code").inner_text().strip()
    join_code = console.locator("#join-code").inner_text().strip()

    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(f"{live_server.url}/classroom/screen")
    projector.get_by_label("Code").fill(screen_code)
    projector.get_by_role("button", name="Open the screen").click()
    projector.wait_for_selector("body.projector[data-mode]")

    learners = []
    for i in range(3):
        page = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
        browser_login(page, live_server.url, f"learner{i}@example.org")
        page.goto(f"{live_server.url}/live/")
        page.get_by_label("Code").fill(join_code.lower())
        page.get_by_role("button", name="Join").click()
        page.wait_for_selector("#live")
        learners.append(page)
    return {"console": console, "projector": projector, "learners": learners, "screen": screen_code, "join": join_code,
            "url": live_server.url}


def start_activity(console, what: str, case: str) -> None:
    """Start a live activity from the console."""
    console.get_by_label("Learners do").select_option(label=what)
    console.get_by_label("Case").select_option(label=case)
    console.get_by_role("button", name="Start activity").click()


def assert_no_names(projector) -> None:
    """Fail if any learner's name is anywhere in the projector's HTML."""
    html = projector.content()
    for name in LEARNER_NAMES:
        assert name not in html, f"learner name {name!r} found in the projector HTML"
        assert name.split()[0] not in html, f"learner first name {name.split()[0]!r} found in the projector HTML"


def test_slides_stay_in_sync_and_keys_work(classroom):
    from playwright.sync_api import expect

    console, projector = classroom["console"], classroom["projector"]
    expect(projector.locator("#slide .slide-layout__title")).to_have_text("Welcome and Course Map")
    console.get_by_role("button", name="Next").click()
    expect(projector.locator("body")).to_have_attribute("data-slide", "1", timeout=3000)
    projector.keyboard.press("ArrowRight")
    expect(console.locator("#console")).to_have_attribute("data-slide", "2", timeout=3000)
    projector.keyboard.press(" ")
    expect(projector.locator("body")).to_have_attribute("data-slide", "3", timeout=3000)
    projector.keyboard.press("ArrowLeft")
    expect(projector.locator("body")).to_have_attribute("data-slide", "2", timeout=3000)
    expect(console.locator("#console")).to_have_attribute("data-slide", "2", timeout=3000)
    assert "trainer-note" not in projector.locator("#slide").inner_html()
    expect(console.locator("#notes")).not_to_be_empty()

    # Body text on the projector is at least 28px.
    size = projector.evaluate("parseFloat(getComputedStyle(document.querySelector('#slide p, #slide li')).fontSize)")
    assert size >= 28, f"projector body text is {size}px"

    # B blanks: a black layer over everything, and the console knows.
    projector.keyboard.press("b")
    expect(projector.locator("#blank")).to_be_visible(timeout=3000)
    assert projector.evaluate("getComputedStyle(document.getElementById('blank')).backgroundColor") == "rgb(0, 0, 0)"
    assert projector.evaluate("getComputedStyle(document.querySelector('.screen')).visibility") == "hidden"
    expect(console.get_by_role("button", name="Show screen (B)")).to_have_attribute(
        "aria-pressed", "true", timeout=3000
    )
    projector.keyboard.press("B")
    expect(projector.locator("#blank")).to_be_hidden(timeout=3000)

    # T starts the timer on both screens.
    projector.keyboard.press("t")
    expect(projector.locator("#timer")).to_be_visible(timeout=3000)
    expect(console.get_by_role("button", name="Pause timer (T)")).to_be_visible(timeout=3000)

    # F toggles full screen.
    projector.keyboard.press("f")
    projector.wait_for_function("document.fullscreenElement !== null", timeout=3000)
    projector.keyboard.press("f")
    projector.wait_for_function("document.fullscreenElement === null", timeout=3000)

    # A reload of the projector returns to the same slide (the code is kept out of the address bar).
    assert classroom["screen"] not in projector.url
    projector.reload()
    expect(projector.locator("body")).to_have_attribute("data-slide", "2", timeout=3000)
    expect(projector.locator("#timer")).to_be_visible()

    # Console keys drive the slides too.
    console.locator("h1").click()
    console.keyboard.press("ArrowRight")
    expect(projector.locator("body")).to_have_attribute("data-slide", "3", timeout=3000)

    # Agenda mode shows where the class is now.
    console.get_by_role("button", name="Agenda", exact=True).click()
    expect(projector.locator(".agenda-row--now")).to_contain_text("Welcome and Course Map", timeout=3000)
    expect(projector.locator(".agenda-row--now")).to_contain_text("Now")


def test_live_statement_moderation_reveal_and_hide(classroom):
    from playwright.sync_api import expect

    console, projector, learners = classroom["console"], classroom["projector"], classroom["learners"]
    start_activity(console, "Write a Harm Statement", "The Hill family")
    expect(projector.locator("#activity-title")).to_have_text("Harm Statement: The Hill family", timeout=3000)
    expect(projector.locator("#join-corner")).to_be_visible()
    texts = [
        "Marcus neglected Jayden.",
        "On Saturday night Marcus Hill grabbed Jayden (7) by the arm and threw him into the hallway wall. "
        "Jayden has four bruises on his arm and now flinches at school.",
        "Dad hurt the child.",
    ]
    for page, text in zip(learners, texts, strict=True):
        expect(page.locator("#activity-title")).to_have_text("Harm Statement: The Hill family", timeout=3000)
        page.get_by_label("Your statement", exact=True).fill(text)
        page.get_by_role("button", name="Send to the trainer").click()
    for page in learners:
        expect(page.locator("#feedback")).to_be_visible(timeout=15000)
        expect(page.locator("#feedback-body")).not_to_contain_text("Checking", timeout=15000)

    queue = console.locator(".queue__item")
    expect(queue).to_have_count(3, timeout=5000)
    for name in LEARNER_NAMES:
        expect(console.locator(".queue")).to_contain_text(name)
    expect(projector.locator(".spotlight__item")).to_have_count(0)
    expect(projector.locator("#activity-status")).to_contain_text("3 responses in")

    # The trainer puts the second response on the screen: text, no name, no marks yet.
    second = console.locator(".queue__item", has_text="On Saturday night Marcus")
    second.get_by_role("button", name="Show on screen").click()
    expect(projector.locator(".spotlight__item")).to_have_count(1, timeout=3000)
    expect(projector.locator(".spotlight__item")).to_contain_text("threw him into the hallway wall")
    label = second.locator(".queue__who strong").inner_text()
    expect(projector.locator(".spotlight__item h3")).to_have_text(label)
    expect(projector.locator(".marks")).to_have_count(0)

    # Marks appear only on command, and go away again.
    first = console.locator(".queue__item", has_text="Marcus neglected")
    first.get_by_role("button", name="Show on screen").click()
    expect(projector.locator(".spotlight__item")).to_have_count(2, timeout=3000)
    console.locator(".queue__item", has_text="Marcus neglected").get_by_role("button", name="Reveal marks").click()
    flagged = projector.locator(".spotlight__item", has_text="Marcus neglected")
    expect(flagged.locator(".marks")).to_be_visible(timeout=3000)
    expect(flagged.locator("mark.finding")).to_contain_text("neglected")
    console.locator(".queue__item", has_text="Marcus neglected").get_by_role("button", name="Hide marks").click()
    expect(flagged.locator(".marks")).to_have_count(0, timeout=3000)

    # Hide and show results.
    console.get_by_role("button", name="Hide results on screen").click()
    expect(projector.locator(".spotlight__item")).to_have_count(0, timeout=3000)
    expect(projector.locator("#activity-body")).to_contain_text("Results are hidden")
    console.get_by_role("button", name="Show results on screen").click()
    expect(projector.locator(".spotlight__item")).to_have_count(2, timeout=3000)

    # Lock: the learner's button is disabled and the server refuses.
    console.get_by_role("button", name="Lock submissions").click()
    expect(learners[2].get_by_role("button", name="Send to the trainer")).to_be_disabled(timeout=3000)
    assert_no_names(projector)


def test_offline_learner_sends_once_when_back(classroom):
    from playwright.sync_api import expect

    console, learners = classroom["console"], classroom["learners"]
    start_activity(console, "Write a Danger Statement", "The Ruiz family")
    page = learners[0]
    expect(page.locator("#activity-title")).to_contain_text("Danger Statement", timeout=3000)
    page.get_by_label("Your statement", exact=True).fill(
        "Sam Porter is worried that when Ana has been drinking she may leave Mia and Leo alone."
    )
    page.context.set_offline(True)
    page.get_by_role("button", name="Send to the trainer").click()
    expect(page.locator("#live-pending")).to_contain_text("offline", timeout=5000)
    stored = page.evaluate(
        "Object.values(JSON.parse(localStorage.getItem(document.getElementById('live').dataset.storageKey)))[0]"
    )
    assert stored["pending"] is True and "Sam Porter" in stored["text"]
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(console.locator(".queue__item")).to_have_count(1, timeout=8000)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second retry must not duplicate
    page.wait_for_timeout(1500)
    expect(console.locator(".queue__item")).to_have_count(1)


def test_group_mapping_bars_add_up(classroom):
    from playwright.sync_api import expect

    console, projector, learners = classroom["console"], classroom["projector"], classroom["learners"]
    start_activity(console, "Place the facts on the map", "The Hill family")
    choices = ["Harm", "Harm", "Danger"]
    for page, choice in zip(learners, choices, strict=True):
        fact = page.locator(".fact").first
        expect(fact).to_be_visible(timeout=3000)
        fact.get_by_label(choice, exact=True).check()
        page.locator(".fact").nth(1).get_by_label("Complicating factors").check()
        page.get_by_role("button", name="Send my map").click()
        expect(page.locator("#live-status")).to_contain_text("Sent", timeout=5000)
    expect(projector.locator("#activity-status")).to_contain_text("3 maps sent", timeout=3000)
    bars = projector.locator(".bar")
    expect(bars).to_have_count(6)
    counts = {bar.get_attribute("data-category"): int(bar.get_attribute("data-count")) for bar in bars.all()}
    assert counts == {"harm": 2, "danger": 1, "complicating": 0, "strength": 0, "safety": 0, "grey": 0}
    assert sum(counts.values()) == 3
    expect(projector.locator(".bar[data-category=harm] .bar__count")).to_have_text("2")
    expect(projector.locator(".reveal")).to_have_count(0)

    console.locator("tr[data-fact-id=f1]").get_by_role("button", name="Reveal answer").click()
    expect(projector.locator(".reveal__answer")).to_have_text("Answer: Harm", timeout=3000)
    expect(projector.locator(".bar--answer .bar__label")).to_contain_text("✓ Harm")
    expect(learners[0].locator(".fact").first.locator(".fact__answer")).to_contain_text(
        "You placed it right", timeout=3000
    )
    expect(learners[2].locator(".fact").first.locator(".fact__answer")).to_contain_text("Not quite")

    console.locator("tr[data-fact-id=f2]").get_by_role("button", name="Show on screen").click()
    expect(projector.locator(".fact-number")).to_contain_text("Fact 2 of", timeout=3000)
    expect(projector.locator(".bar[data-category=complicating] .bar__count")).to_have_text("3")
    assert_no_names(projector)


def test_review_game_plays_through_and_scores_survive_reload(classroom):
    from playwright.sync_api import expect

    console, projector, learners = classroom["console"], classroom["projector"], classroom["learners"]
    console.locator("#game-form input[name=modules]").evaluate_all("boxes => boxes.forEach(b => b.checked = false)")
    console.get_by_label("Key Terms", exact=False).first.check()
    console.get_by_label("Team names, separated by commas").fill("Owls, Foxes")
    console.get_by_role("button", name="Start game").click()
    expect(projector.locator(".board__cell")).to_have_count(5, timeout=3000)
    for i, page in enumerate(learners):
        page.get_by_role("button", name="Owls" if i < 2 else "Foxes").click()
        expect(page.locator(".me")).to_contain_text("Owls" if i < 2 else "Foxes", timeout=3000)

    console.locator(".console-board button").first.click()
    expect(projector.locator(".clue-prompt")).to_be_visible(timeout=3000)
    prompt = projector.locator(".clue-prompt").inner_text()
    for page in learners:
        expect(page.locator(".clue-prompt")).to_have_text(prompt, timeout=3000)
    # Owls answer A and B (one will usually be wrong); Foxes answer A.
    learners[0].locator(".answer").nth(0).click()
    learners[1].locator(".answer").nth(0).click()
    learners[2].locator(".answer").nth(1).click()
    expect(projector.locator(".clue-meta")).to_contain_text("3 answers in", timeout=3000)
    console.get_by_role("button", name="Reveal answer and score").click()
    expect(projector.locator(".clue-option--right")).to_have_count(1, timeout=3000)
    right = projector.locator(".clue-option--right .clue-option__letter").inner_text()
    owls = 100 if right == "A" else 0
    foxes = 100 if right == "B" else 0
    for page in learners:
        expect(page.locator(".verdict")).to_be_visible(timeout=3000)

    console.get_by_role("button", name="Back to the board").click()
    console.get_by_role("button", name="Give Foxes 100 points").click()
    foxes += 100
    expect(projector.locator(".board__cell--used")).to_have_count(1, timeout=3000)
    expected = {"Owls": owls, "Foxes": foxes}

    def scoreboard(page):
        rows = page.locator(".scores__row")
        return {row.locator("span").inner_text(): int(row.locator("strong").inner_text()) for row in rows.all()}

    page_scores = None
    for _ in range(20):
        page_scores = scoreboard(projector)
        if page_scores == expected:
            break
        projector.wait_for_timeout(250)
    assert page_scores == expected
    projector.reload()
    expect(projector.locator(".board__cell--used")).to_have_count(1, timeout=3000)
    assert scoreboard(projector) == expected
    console.reload()
    expect(console.locator(".console-scores li")).to_have_count(2, timeout=3000)
    assert_no_names(projector)


def test_console_and_join_pages_are_accessible(classroom, assert_accessible):
    from playwright.sync_api import expect

    console, learners = classroom["console"], classroom["learners"]
    start_activity(console, "Write a Safety Goal", "The Nguyen family")
    page = learners[0]
    expect(page.locator("#activity-title")).to_contain_text("Safety Goal", timeout=3000)
    page.get_by_label("Your statement", exact=True).fill(
        "The social worker and Uncle Minh need to see Linh make sure Bao and An have dinner every night."
    )
    page.get_by_role("button", name="Send to the trainer").click()
    expect(console.locator(".queue__item")).to_have_count(1, timeout=8000)
    assert_accessible(console, "trainer console with a response")
    assert_accessible(page, "learner live page")
    join = learners[1]
    join.goto(f"{classroom['url']}/live/")
    assert_accessible(join, "learner join page")


def test_screenshots(classroom):
    """Take screenshots of the console, the projector and a learner phone for a human to look at."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    console, projector, learners = classroom["console"], classroom["projector"], classroom["learners"]
    console.get_by_role("button", name="Next").click()
    expect(projector.locator("body")).to_have_attribute("data-slide", "1", timeout=3000)
    projector.screenshot(path=str(SHOTS / "projector-slide.png"))
    console.get_by_role("button", name="Agenda", exact=True).click()
    expect(projector.locator("body")).to_have_attribute("data-mode", "agenda", timeout=3000)
    projector.screenshot(path=str(SHOTS / "projector-agenda.png"))
    console.get_by_role("button", name="Join code", exact=True).click()
    expect(projector.locator("body")).to_have_attribute("data-mode", "join", timeout=3000)
    projector.screenshot(path=str(SHOTS / "projector-join.png"))
    start_activity(console, "Place the facts on the map", "The Hill family")
    for i, page in enumerate(learners):
        expect(page.locator(".fact").first).to_be_visible(timeout=3000)
        page.locator(".fact").first.get_by_label(["Harm", "Harm", "Complicating factors"][i], exact=True).check()
        page.get_by_role("button", name="Send my map").click()
    expect(projector.locator("#activity-status")).to_contain_text("3 maps sent", timeout=3000)
    console.locator("tr[data-fact-id=f1]").get_by_role("button", name="Reveal answer").click()
    expect(projector.locator(".reveal")).to_be_visible(timeout=3000)
    projector.screenshot(path=str(SHOTS / "projector-mapping.png"))
    learners[0].screenshot(path=str(SHOTS / "learner-mapping.png"), full_page=False)
    start_activity(console, "Write a Harm Statement", "The Hill family")
    expect(learners[0].locator("#activity-title")).to_contain_text("Harm Statement", timeout=3000)
    learners[0].get_by_label("Your statement", exact=True).fill("Marcus neglected Jayden on Saturday.")
    learners[0].get_by_role("button", name="Send to the trainer").click()
    expect(learners[0].locator("#feedback-body")).not_to_contain_text("Checking", timeout=15000)
    learners[0].screenshot(path=str(SHOTS / "learner-feedback.png"), full_page=True)
    item = console.locator(".queue__item").first
    expect(item).to_be_visible(timeout=3000)
    item.get_by_role("button", name="Show on screen").click()
    expect(item.get_by_role("button", name="Reveal marks")).to_be_enabled(timeout=5000)
    console.locator(".queue__item").first.get_by_role("button", name="Reveal marks").click()
    expect(projector.locator(".marks")).to_be_visible(timeout=3000)
    projector.screenshot(path=str(SHOTS / "projector-statement.png"))
    console.screenshot(path=str(SHOTS / "console.png"), full_page=True)
    console.locator("#game-form input[name=modules]").evaluate_all(
        "boxes => boxes.forEach((b, i) => b.checked = i < 5)"
    )
    console.get_by_role("button", name="Start game").click()
    expect(projector.locator(".board")).to_be_visible(timeout=3000)
    projector.screenshot(path=str(SHOTS / "projector-game.png"))
    assert_no_names(projector)
