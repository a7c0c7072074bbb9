"""Statements: autosave with revisions, checks and kept versions, diffs, marked offsets, privacy of each
learner's work."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from course.exercises.diffs import word_diff
from course.extensions import db
from course.feedback import mark_segments, summary
from course.models import Work, WorkVersion

HARM = "/exercises/hill-family/write/harm/1"


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    from grader import load_pipeline

    return load_pipeline()


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner")
    auth.login(factory.email(user_id))
    return user_id


def _work(app, user_id, kind="harm", position=1, vignette="hill-family"):
    with app.app_context():
        work = db.session.scalar(select(Work).where(Work.user_id == user_id, Work.vignette_id == vignette,
                                                    Work.kind == kind, Work.position == position))
        if work is None:
            return None
        db.session.expunge(work)
        return work


def _versions(app, user_id):
    with app.app_context():
        return db.session.scalars(select(WorkVersion).join(Work).where(Work.user_id == user_id)
                                  .order_by(WorkVersion.number)).all()


# ---------------------------------------------------------------- pages

def test_pages_need_sign_in(client):
    for url in ("/exercises/", "/exercises/hill-family", HARM, "/exercises/hill-family/submit"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    response = client.post(HARM + "/autosave", json={"text": "x", "revision": 0})
    assert response.status_code == 401 and response.get_json()["code"] == "signed_out"


def test_index_lists_cases_with_content_notes(client, learner):
    page = client.get("/exercises/").get_data(as_text=True)
    for vid in ("hill-family", "nguyen-family", "ruiz-family", "okafor-family"):
        assert f'href="/exercises/{vid}"' in page
    assert "Content notes:" in page and "parental alcohol use" in page
    assert page.count("Not started") >= 4 * 5


def test_index_links_every_familys_network_and_child_interview_practice(app, client, learner):
    from course.vignettes import all_vignettes

    page = client.get("/exercises/").get_data(as_text=True)
    with app.app_context():
        families = all_vignettes()
    for vignette in families:
        assert f'href="/exercises/{vignette.id}/child-interview"' in page
        assert (f'href="/exercises/{vignette.id}/network"' in page) is bool(vignette.network_guidance)
    for link in (f"/exercises/{v.id}/{practice}" for v in families for practice in ("child-interview", "network")
                 if practice != "network" or v.network_guidance):
        assert client.get(link).status_code == 200, link


def test_case_page_puts_content_notes_before_the_story(client, learner):
    page = client.get("/exercises/hill-family").get_data(as_text=True)
    assert page.index("Content notes.") < page.index("<h2>The case</h2>")
    assert "Jayden Hill" in page and "chip--child" in page
    assert "<strong>The call.</strong>" in page  # the narrative's Markdown is rendered


@pytest.mark.parametrize("url", [
    "/exercises/hill-family/write/danger/2",      # a second danger statement before the first exists
    "/exercises/hill-family/write/safety-goal/2",  # a goal without its danger statement
    "/exercises/hill-family/write/harm/2",
    "/exercises/hill-family/write/poem/1",
    "/exercises/nobody/write/harm/1",
])
def test_slots_that_do_not_exist_are_404(client, learner, url):
    assert client.get(url).status_code == 404


def test_danger_statements_open_one_at_a_time_up_to_three(client, learner):
    for position in (1, 2, 3):
        url = f"/exercises/hill-family/write/danger/{position}"
        assert client.get(url).status_code == 200
        assert client.post(url + "/autosave", json={"text": f"Danger {position}", "revision": 0}).status_code == 200
        assert client.get(f"/exercises/hill-family/write/safety-goal/{position}").status_code == 200
    assert client.get("/exercises/hill-family/write/danger/4").status_code == 404
    page = client.get("/exercises/hill-family/write/safety-goal/2").get_data(as_text=True)
    assert "Your Danger Statement 2" in page and "Danger 2" in page


# ---------------------------------------------------------------- autosave and revisions

def test_autosave_creates_then_updates_with_revisions(client, learner, app):
    first = client.post(HARM + "/autosave", json={"text": "Marcus grabbed Jayden.", "revision": 0})
    assert first.status_code == 200
    assert first.get_json()["revision"] == 1 and first.get_json()["saved_at"]
    second = client.post(HARM + "/autosave", json={"text": "Marcus grabbed Jayden hard.", "revision": 1})
    assert second.get_json()["revision"] == 2
    work = _work(app, learner)
    assert work.draft_text == "Marcus grabbed Jayden hard." and work.revision == 2
    assert _versions(app, learner) == []  # autosave keeps the draft, not a version


def test_stale_revision_from_another_tab_gets_409_with_the_server_text(client, learner, app):
    client.post(HARM + "/autosave", json={"text": "Tab A text", "revision": 0})
    client.post(HARM + "/autosave", json={"text": "Tab B text", "revision": 1})
    stale = client.post(HARM + "/autosave", json={"text": "Tab A again", "revision": 1})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["code"] == "stale" and "another tab or window" in body["error"]
    assert body["server"]["text"] == "Tab B text" and body["server"]["revision"] == 2
    assert _work(app, learner).draft_text == "Tab B text"
    # Saving on top of the server's revision is then accepted.
    assert client.post(HARM + "/autosave", json={"text": "Tab A again", "revision": 2}).status_code == 200


def test_same_text_from_a_stale_tab_is_not_a_conflict(client, learner):
    client.post(HARM + "/autosave", json={"text": "Same words", "revision": 0})
    client.post(HARM + "/autosave", json={"text": "Same words", "revision": 0})
    response = client.post(HARM + "/autosave", json={"text": "Same words", "revision": 0})
    assert response.status_code == 200 and response.get_json()["changed"] is False


@pytest.mark.parametrize("payload", [{"text": 5, "revision": 0}, {"text": "x", "revision": -1},
                                     {"text": "x", "revision": "2"}, ["x"]])
def test_bad_autosave_payloads_are_400(client, learner, payload):
    assert client.post(HARM + "/autosave", json=payload).status_code == 400


@pytest.mark.parametrize("endpoint", ["/autosave", "/check"])
def test_a_draft_over_the_grading_limit_says_how_long_it_is_and_the_limit(client, learner, app, endpoint):
    limit = app.config["GRADE_MAX_CHARS"]
    response = client.post(HARM + endpoint, json={"text": "Tanya " * 2000, "revision": 0})
    assert response.status_code == 413 and response.get_json()["code"] == "too_long"
    message = response.get_json()["error"]
    assert f"The text is 12,000 characters long; the limit is {limit:,}." in message and "Shorten it" in message
    assert "smaller file" not in message


def test_closed_tab_comes_back_to_the_last_saved_text(client, learner):
    client.post(HARM + "/autosave", json={"text": "Saved before the tab closed 🙂", "revision": 0})
    page = client.get(HARM).get_data(as_text=True)
    assert "Saved before the tab closed 🙂</textarea>" in page
    assert 'name="revision" type="hidden" value="1"' in page
    assert "Saved " in page  # the "Saved hh:mm" line


def test_plain_form_save_and_stale_form(client, learner, app):
    response = client.post(HARM, data={"text": "Written without JavaScript.", "revision": "0", "save": "Save draft"})
    assert response.status_code == 200 and "Saved." in response.get_data(as_text=True)
    assert _work(app, learner).draft_text == "Written without JavaScript."
    stale = client.post(HARM, data={"text": "From an old page", "revision": "0", "save": "Save draft"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "changed in another tab" in page
    assert "From an old page</textarea>" in page  # the learner's typing stays in the box
    assert '<blockquote class="notice__text">Written without JavaScript.</blockquote>' in page
    assert 'name="revision" type="hidden" value="1"' in page


# ---------------------------------------------------------------- checks and versions

def test_check_keeps_a_version_and_returns_the_report(client, learner, app, nlp):
    response = client.post(HARM + "/check", json={"text": "Marcus neglected Jayden.", "revision": 0})
    body = response.get_json()
    assert response.status_code == 200
    assert body["version"] == 1 and body["revision"] == 1
    assert body["report"]["verdict"] == "revise"
    assert body["summary"] == "3 parts missing, 1 wording issue."
    assert "⚑</span>neglected" in body["html"] and 'href="#finding-1"' in body["html"]
    assert "✗" in body["html"] and "Missing:" in body["html"]
    # Checking the same text again keeps no duplicate; a live (keep=false) check keeps none.
    again = client.post(HARM + "/check", json={"text": "Marcus neglected Jayden.", "revision": 1}).get_json()
    assert again["version"] == 1
    live = client.post(HARM + "/check",
                       json={"text": "Marcus grabbed Jayden.", "revision": again["revision"], "keep": False})
    assert live.get_json()["version"] is None and live.get_json()["report"]
    assert [v.number for v in _versions(app, learner)] == [1]


def test_plain_form_check_shows_the_same_report_server_rendered(client, learner, nlp):
    response = client.post(HARM, data={"text": "Marcus abused Jayden.", "revision": "0", "check": "Check"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "⚑</span>abused" in page
    assert 'aria-live="polite" aria-atomic="true">3 parts missing, 1 wording issue.</p>' in page
    assert "Version history (1)" in page


def test_history_lists_versions_and_shows_a_word_diff(client, learner, nlp):
    first = client.post(HARM + "/check", json={"text": "Marcus hit Jayden on Saturday.", "revision": 0})
    rev = first.get_json()["revision"]
    client.post(HARM + "/check", json={"text": "Marcus grabbed Jayden (7) on Saturday night.", "revision": rev})
    page = client.get(HARM + "/history").get_data(as_text=True)
    assert "Version 1" in page and "Version 2" in page
    assert ('<del class="diff-del"><span class="visually-hidden">[removed: </span>'
            '<span class="diff-mark" aria-hidden="true">−</span>hit') in page
    assert ('<ins class="diff-ins"><span class="visually-hidden">[added: </span>'
            '<span class="diff-mark" aria-hidden="true">+</span>grabbed') in page
    assert "3 words added, 1 removed" in page
    reverse = client.get(HARM + "/history?a=2&b=1").get_data(as_text=True)
    assert "[removed: </span><span class=\"diff-mark\" aria-hidden=\"true\">−</span>grabbed" in reverse
    assert client.get(HARM + "/history?a=1&b=9").status_code == 404
    version = client.get(HARM + "/versions/1").get_data(as_text=True)
    assert "Marcus hit Jayden on Saturday." in version and "Feedback on this version" in version
    assert client.get(HARM + "/versions/3").status_code == 404


def test_history_without_work_is_404(client, learner):
    assert client.get(HARM + "/history").status_code == 404
    assert client.get(HARM + "/versions/1").status_code == 404


def test_word_diff_round_trips():
    old, new = "Mom left Mia alone.", "On Friday Ana left Mia (4) alone for five hours."
    runs = word_diff(old, new)
    assert "".join(t for op, t in runs if op != "ins") == old
    assert "".join(t for op, t in runs if op != "del") == new


# ---------------------------------------------------------------- offsets around emoji and multi-byte text

def test_marked_segments_use_code_point_offsets_around_emoji():
    text = "Zoë 😀👍🏽 said Mom 🙃 neglected 孩子 today."
    start = text.index("neglected")
    findings = [{"start": start, "end": start + len("neglected"), "category": "vague_label"},
                {"start": text.index("孩子"), "end": text.index("孩子") + 2, "category": "jargon"}]
    segments = mark_segments(text, findings)
    assert "".join(s.text for s in segments) == text
    flagged = [(s.text, s.refs) for s in segments if s.refs]
    assert flagged == [("neglected", [1]), ("孩子", [2])]


def test_overlapping_findings_merge_into_one_mark():
    text = "Mother is in denial about it."
    findings = [{"start": 10, "end": 19, "category": "vague_label"}, {"start": 13, "end": 25, "category": "judgmental"},
                {"start": 50, "end": 60, "category": "out_of_range"}]
    segments = mark_segments(text, findings)
    assert [(s.text, s.refs) for s in segments] == [("Mother is ", []), ("in denial about", [1, 2]), (" it.", [])]


def test_grader_offsets_render_correctly_after_emoji(client, learner, nlp):
    text = "🙂 On Saturday 👍🏽 Marcus neglected Zoë’s brother Jayden."
    body = client.post(HARM + "/check", json={"text": text, "revision": 0}).get_json()
    finding = next(f for f in body["report"]["findings"] if f["category"] == "vague_label")
    assert text[finding["start"]:finding["end"]] == "neglected"
    assert ('<span class="flag__icon" aria-hidden="true">⚑</span>neglected'
            '<span class="visually-hidden">]') in body["html"]


def test_summary_wording():
    assert (summary({"components": [{"present": False}, {"present": False}], "findings": [{}]})
            == "2 parts missing, 1 wording issue.")
    assert summary({"components": [{"present": True}], "findings": []}).startswith("Ready")
    assert summary(None) == ""


# ---------------------------------------------------------------- "no harm statement"

def test_no_harm_is_right_for_the_danger_only_case(client, learner, app, nlp):
    url = "/exercises/okafor-family/write/harm/1/check"
    body = client.post(url, json={"text": "Amara has not been hurt; the worries are about what could happen.",
                                  "revision": 0, "no_harm": True}).get_json()
    assert body["no_harm"] is True
    assert body["report"]["verdict"] == "ready"
    assert "Right: nothing has happened to Amara yet" in body["html"]
    assert _work(app, learner, vignette="okafor-family").no_harm is True


def test_no_harm_is_wrong_when_harm_happened(client, learner, nlp):
    body = client.post(HARM + "/check",
                       json={"text": "Nothing has happened yet.", "revision": 0, "no_harm": True}).get_json()
    assert body["report"]["verdict"] == "revise"
    assert "Something has already happened to Jayden" in body["html"]


# ---------------------------------------------------------------- one learner cannot reach another's work

def test_a_learner_cannot_read_or_change_another_learners_work(client, auth, factory, app, nlp):
    owner = factory.user("learner")
    auth.login(factory.email(owner))
    secret = "Owner's private draft about Marcus and Jayden."
    client.post(HARM + "/check", json={"text": secret, "revision": 0})
    client.post("/exercises/hill-family/write/danger/1/autosave", json={"text": "Owner danger", "revision": 0})
    auth.logout()
    other = factory.user("learner")
    auth.login(factory.email(other))
    for url in ("/exercises/", "/exercises/hill-family", HARM, "/exercises/hill-family/submit",
                "/exercises/hill-family/write/danger/1", "/exercises/hill-family/mapping"):
        response = client.get(url)
        assert response.status_code == 200 and secret not in response.get_data(as_text=True), url
    for url in (HARM + "/history", HARM + "/versions/1", "/exercises/hill-family/write/danger/2",
                "/exercises/hill-family/write/safety-goal/1/history"):
        assert client.get(url).status_code == 404, url
    # Writing on the same slot creates the other learner's own work and leaves the owner's alone.
    assert client.post(HARM + "/autosave", json={"text": "Mine", "revision": 0}).status_code == 200
    mine = _work(app, other)
    owner_work = _work(app, owner)
    # Naming the owner's work in a submission does nothing to it.
    response = client.post("/exercises/hill-family/submit",
                           data={f"rev_{mine.id}": mine.revision, f"rev_{owner_work.id}": owner_work.revision})
    assert response.status_code == 302
    assert _work(app, other).status == "submitted"
    owner_work = _work(app, owner)
    assert owner_work.draft_text == secret and owner_work.status == "draft"
    assert _work(app, other).draft_text == "Mine"


# ---------------------------------------------------------------- content check and demo

def test_content_check_covers_vignettes_and_drills(runner):
    result = runner.invoke(args=["content", "check"])
    assert "vignettes: 0 problems" in result.output and "drills: 0 problems" in result.output, result.output


def test_content_check_reports_a_broken_vignette(runner, tmp_path):
    (tmp_path / "bad-family.yaml").write_text("id: bad-family\ntitle: Bad\n", encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--vignettes-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad-family.yaml:1: missing required field 'roster'" in result.output


def test_demo_seed_gives_the_learner_a_submitted_harm_statement_once(app, nlp):
    from course.auth.services import create_user
    from course.exercises.demo import seed
    from course.models import Cohort, Role

    with app.app_context():
        cohort = Cohort(name="Demo", join_code="DEMO01")
        db.session.add(cohort)
        user = create_user("learner@example.org", "Alex Learner", "pw-long-enough", Role.LEARNER)
        db.session.commit()
        assert seed(cohort)
        db.session.commit()
        assert seed(cohort) == []
        db.session.commit()
        works = db.session.scalars(select(Work).where(Work.user_id == user.id)).all()
        assert [(w.kind, w.status) for w in works] == [("harm", "submitted")]
        assert [v.source for v in works[0].versions] == ["check", "check", "submit"]
        assert works[0].submitted_at is not None
