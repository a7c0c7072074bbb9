"""The network and child-interview exercises: guidance data, services, pages, feedback and objective 5."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy
from sqlalchemy import select

import grader
from course.exercises.practice import (
    CHILD_INTERVIEW,
    NETWORK,
    StalePractice,
    age_in_years,
    child_key,
    clean_network,
    compare_circles,
    get_practice,
    graded_text,
    interview_child,
    interview_children,
    people_to_place,
    save_practice,
    status,
)
from course.extensions import db
from course.models import PracticeVersion, PracticeWork
from course.objectives.services import coverage
from course.vignettes import Person, all_vignettes, get_vignette, validate_file
from tests.test_vignettes import _hill, _line_of, _write

VIGNETTE_IDS = sorted(v.id for v in all_vignettes())


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    return grader.load_pipeline()


@pytest.fixture
def learner(factory, auth):
    user_id = factory.user()
    auth.login(factory.email(user_id))
    return user_id


def _feedback(html: str) -> str:
    """Return the text of the page's feedback section, tags removed."""
    part = html.split('id="feedback-title"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


# ---------------------------------------------------------------- the guidance data

def _guidance(d):
    return d["network_guidance"]


def _unknown_circle(d):
    _guidance(d)["circles"]["close"] = []


def _child_in_circles(d):
    _guidance(d)["circles"]["all"].append("Jayden Hill")


def _worker_in_circles(d):
    _guidance(d)["circles"]["none"] = ["Dana Ortiz"]


def _person_left_out(d):
    _guidance(d)["circles"]["some"] = []


def _person_twice(d):
    _guidance(d)["circles"]["none"] = ["Ms. Lee"]


def _member_not_in_network(d):
    _guidance(d)["members"]["Tanya Hill"] = {"fit": "good", "why": "She is his mother."}


def _bad_fit(d):
    _guidance(d)["members"]["Rose Hill"]["fit"] = "maybe"


def _member_missing(d):
    del _guidance(d)["members"]["Rose Hill"]


def _long_why(d):
    _guidance(d)["members"]["Keisha Brown"]["why"] = "word " * 80


def _no_orientation(d):
    del _guidance(d)["orientation"]


def _orientation_for_a_parent(d):
    _guidance(d)["orientation_for"] = "Marcus Hill"


def _unknown_guidance_field(d):
    _guidance(d)["script"] = "Say hello."


def _guidance_not_a_mapping(d):
    d["network_guidance"] = ["Keisha Brown"]


GUIDANCE_CASES = [
    (_unknown_circle, ["unknown circle 'close'"], "    close:", 1),
    (_child_in_circles, ["circles.all", "'Jayden Hill' is not someone to place"], "    all:", 1),
    (_worker_in_circles, ["circles.none", "'Dana Ortiz' is not someone to place"], "    none:", 1),
    (_person_left_out, ["missing: Ms. Lee"], "circles:", 1),
    (_person_twice, ["circles lists Ms. Lee more than once"], "circles:", 1),
    (_member_not_in_network, ["'Tanya Hill' is not a network member"], "Tanya Hill:", 1),
    (_bad_fit, ["members.Rose Hill: fit must be one of good, not_yet, not_now"], "Rose Hill:", 1),
    (_member_missing, ["members needs an entry for Rose Hill"], "members:", 1),
    (_long_why, ["members.Keisha Brown.why has 80 words"], "word word word", 1),
    (_no_orientation, ["network_guidance: missing 'orientation'"], "network_guidance:", 1),
    (_orientation_for_a_parent, ["orientation_for must be the full name of a network member"],
     "orientation_for:", 1),
    (_unknown_guidance_field, ["unknown field 'script'"], "script:", 1),
    (_guidance_not_a_mapping, ["network_guidance must be a mapping"], "network_guidance:", 1),
]


@pytest.mark.parametrize("mutate, words, line_text, occurrence", GUIDANCE_CASES,
                         ids=[c[0].__name__.strip("_") for c in GUIDANCE_CASES])
def test_guidance_errors_name_file_line_and_entry(tmp_path, mutate, words, line_text, occurrence):
    data = _hill()
    mutate(data)
    path = _write(tmp_path, data)
    _, problems = validate_file(path)
    matching = [p for p in problems if all(w in p.message for w in words)]
    assert matching, f"no problem containing {words}; got {[str(p) for p in problems]}"
    problem = matching[0]
    assert Path(problem.path).resolve() == path.resolve()
    assert problem.line == _line_of(path, line_text, occurrence), str(problem)
    assert str(problem).startswith(f"{problem.path}:{problem.line}: ")


def test_content_check_reports_a_guidance_slip_as_file_and_line(tmp_path, runner, app):
    data = _hill()
    _bad_fit(data)
    path = _write(tmp_path, data)
    result = runner.invoke(args=["content", "check", "--vignettes-dir", str(tmp_path)])
    assert result.exit_code != 0
    line = _line_of(path, "Rose Hill:")
    assert re.search(rf"hill-family\.yaml:{line}: network_guidance: members\.Rose Hill: fit must be", result.output), \
        result.output


@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_every_family_has_network_guidance_for_everyone_to_place(vignette_id):
    vignette = get_vignette(vignette_id)
    guidance = vignette.network_guidance
    assert guidance is not None, f"{vignette_id} needs network_guidance"
    assert set(guidance.circles) == {p.name for p in people_to_place(vignette)}
    assert {m.name for m in guidance.members} == {p.name for p in vignette.roster if p.role == "network"}


@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_each_model_orientation_passes_the_plain_language_check(vignette_id, nlp, app):
    """The example orientation the page shows is itself free of labels and jargon."""
    from course import grading

    with app.app_context():
        report = grading.grade("plain_language", get_vignette(vignette_id).network_guidance.orientation,
                               vignette=vignette_id)
    blocking = [(f["category"], f["text"]) for f in report["findings"] if f["severity"] == "error"]
    assert not blocking, blocking


# ---------------------------------------------------------------- services

@pytest.mark.parametrize("age, years", [(7, 7), (15, 15), ("22 months", 1), ("3 months", 0), ("30 months", 2),
                                        ("6 weeks", 0), (None, None), ("", None)])
def test_age_in_years(age, years):
    assert age_in_years(Person("A B", "A", "child", age)) == years


@pytest.mark.parametrize("vignette_id, children", [
    ("hill-family", ["jayden"]),
    ("nguyen-family", ["bao", "an"]),
    ("ruiz-family", ["mia"]),  # Leo (2) is too young to draw the houses
    ("okafor-family", []),  # Amara is three months old
])
def test_children_old_enough_for_an_interview(vignette_id, children):
    assert [child_key(p) for p in interview_children(get_vignette(vignette_id))] == children


def test_the_social_worker_and_the_children_are_not_placed():
    names = [p.name for p in people_to_place(get_vignette("hill-family"))]
    assert names == ["Tanya Hill", "Marcus Hill", "Keisha Brown", "Rose Hill", "Ms. Lee"]


def test_clean_network_keeps_only_this_familys_people_and_known_choices():
    vignette = get_vignette("hill-family")
    data = clean_network(vignette, {"circles": {"Keisha Brown": "all", "Linh Nguyen": "all", "Ms. Lee": "outer"},
                                    "fits": {"Rose Hill": "good", "Tanya Hill": "good", "Keisha Brown": "yes"},
                                    "orientation": "Rose, thank you."})
    assert data == {"circles": {"Keisha Brown": "all"}, "fits": {"Rose Hill": "good"},
                    "orientation": "Rose, thank you."}


@pytest.mark.parametrize("chosen, expected_words", [
    ("all", "Matches the case"),
    ("none", "You chose “Knows none of the worries yet”; the case points to “Knows some of the worries”"),
    (None, "Not placed yet. The case points to “Knows some of the worries”"),
])
def test_circle_notes_say_what_the_case_points_to(chosen, expected_words):
    vignette = get_vignette("hill-family")
    circles = {"Ms. Lee": chosen} if chosen else {}
    lee = next(p for p in compare_circles(vignette, {"circles": circles}) if p.person.name == "Ms. Lee")
    if chosen == "all":  # the case puts Ms. Lee in "some": "all" does not match
        assert not lee.matches and "the case points to “Knows some of the worries”" in lee.note
    else:
        assert expected_words in lee.note


def test_save_refuses_an_old_revision(app, factory):
    user_id = factory.user()
    with app.app_context():
        first = save_practice(user_id, "hill-family", NETWORK, "", {"orientation": "One."}, 0)
        db.session.commit()
        assert first.revision == 1
        again = save_practice(user_id, "hill-family", NETWORK, "", {"orientation": "One."}, 0)
        assert again.revision == 1  # the same answers from an old tab: nothing to resolve
        with pytest.raises(StalePractice):
            save_practice(user_id, "hill-family", NETWORK, "", {"orientation": "Two."}, 0)
        db.session.rollback()
        assert save_practice(user_id, "hill-family", NETWORK, "", {"orientation": "Two."}, 1).revision == 2


def test_graded_text_joins_the_interview_parts_in_order():
    data = {"house": "three_houses", "opening": "Hi Mia.", "questions": "What makes you happy?\n", "sharing": " "}
    assert graded_text(CHILD_INTERVIEW, data) == "Hi Mia.\nWhat makes you happy?"
    assert graded_text(NETWORK, {"orientation": "  Sofia, thank you.  "}) == "Sofia, thank you."


# ---------------------------------------------------------------- the pages

HILL_CIRCLES = {"circle_0": "all", "circle_1": "all", "circle_2": "all", "circle_3": "all", "circle_4": "some"}
CLEAN_ORIENTATION = ("Rose, thank you for coming. Last Saturday Marcus grabbed Jayden's arm hard after drinking, and "
                     "Jayden's head hit the wall. We are worried it could happen again. We are asking you to help "
                     "keep Jayden with a sober grown-up every weekend.")


@pytest.mark.parametrize("url, words", [
    ("/exercises/hill-family/network", ["Find and orient the safety network", "Ms. Lee", "Nothing here yet"]),
    ("/exercises/hill-family/child-interview", ["Plan a conversation with Jayden Hill (7)", "Nothing here yet"]),
    ("/exercises/nguyen-family/child-interview?child=an", ["Plan a conversation with An Nguyen (5)"]),
    ("/exercises/okafor-family/child-interview", ["No child in this case is old enough",
                                                   'href="/exercises/hill-family/child-interview"']),
])
def test_pages_before_any_work(client, learner, url, words):
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for word in words:
        assert word in html


@pytest.mark.parametrize("url", ["/exercises/hill-family/child-interview?child=leo",
                                 "/exercises/ruiz-family/child-interview?child=leo",
                                 "/exercises/no-family/network", "/exercises/no-family/child-interview"])
def test_unknown_family_or_a_child_too_young_is_not_found(client, learner, url):
    assert client.get(url).status_code == 404


def test_pages_need_sign_in(client):
    for url in ("/exercises/hill-family/network", "/exercises/hill-family/child-interview"):
        assert client.get(url).status_code == 302


def test_network_save_keeps_the_answers_without_checking(client, learner, app):
    response = client.post("/exercises/hill-family/network",
                           data={**HILL_CIRCLES, "fit_0": "good", "orientation": "Rose, thank you.", "revision": "0",
                                 "save": "Save"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Saved." in html
    assert "compared with the case" not in html  # the case's answers wait for a check
    with app.app_context():
        work = get_practice(learner, "hill-family", NETWORK)
        assert work.data["circles"]["Ms. Lee"] == "some" and work.data["fits"] == {"Keisha Brown": "good"}
        assert work.versions == []
    again = client.get("/exercises/hill-family/network").get_data(as_text=True)
    assert '<option selected value="some">' in again and "Rose, thank you." in again


def test_network_check_compares_circles_grades_the_orientation_and_keeps_versions(client, learner, app, nlp):
    data = {**HILL_CIRCLES, "circle_4": "none", "fit_0": "good", "fit_1": "not_now",
            "orientation": "Rose, Marcus is in denial about his substance abuse.", "revision": "0", "check": "1"}
    html = client.post("/exercises/hill-family/network", data=data).get_data(as_text=True)
    text = _feedback(html)
    assert "4 of 5 people are where the case points" in text
    assert "Ms. Lee: You chose “Knows none of the worries yet”; the case points to “Knows some" in text
    assert "Rose Hill. You said: Not now. The case: Yes, a good network member." in text
    assert "Label instead of behaviour" in text and "in denial" in text
    assert "One way to say it" in text
    with app.app_context():
        work = get_practice(learner, "hill-family", NETWORK)
        assert [v.number for v in work.versions] == [1] and work.verdict == "revise"
    # A clean orientation: a second version, and only the latest keeps its full report.
    data.update(orientation=CLEAN_ORIENTATION, revision="1")
    html = client.post("/exercises/hill-family/network", data=data).get_data(as_text=True)
    assert "No wording issues found" in html
    with app.app_context():
        work = get_practice(learner, "hill-family", NETWORK)
        first, second = work.versions
        assert (first.report, first.summary["categories"]) == (None, {"vague_label": 2})
        assert second.report is not None and second.verdict == "ready" and status(work) == "done"
    # The same answers checked again reuse the version.
    client.post("/exercises/hill-family/network", data={**data, "revision": "2"})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PracticeVersion)) == 2


def test_an_old_tab_gets_409_and_the_saved_copy(client, learner, app):
    client.post("/exercises/hill-family/network", data={"orientation": "First tab.", "revision": "0", "save": "Save"})
    response = client.post("/exercises/hill-family/network",
                           data={"orientation": "Second tab.", "revision": "0", "save": "Save"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed in another tab" in html and "First tab." in html
    with app.app_context():
        assert get_practice(learner, "hill-family", NETWORK).data["orientation"] == "First tab."


def test_check_with_nothing_written_says_what_to_do(client, learner):
    html = client.post("/exercises/hill-family/child-interview",
                       data={"house": "three_houses", "revision": "0", "check": "1"}).get_data(as_text=True)
    assert "Write something in the plan first, then check it." in html


INTERVIEW = {"house": "three_houses",
             "opening": "Hi Jayden, I'm Dana. I help families. We will draw three houses, and there are no wrong "
                        "answers.",
             "questions": "What worries you at home?\nWhat are the good things at home?\n"
                          "What would your dream house be like?",
             "sharing": "Is it okay if I show your houses to your mom? What should I tell her?"}


@pytest.mark.parametrize("questions, flagged", [
    (INTERVIEW["questions"], None),
    ("What worries you at home?\nWhy did you run to Aunt Keisha's house?\nWhat would your dream house be like?",
     "Why question"),
    ("What makes you happy and who do you play with?\nWhat worries you?\nWhat are your dreams?",
     "Two questions in one"),
    ("What are your concerns about your living situation?\nWhat are the good things?\nWhat are your dreams?",
     "Words a child may not know"),
])
def test_interview_check_grades_the_plan_at_the_childs_age(client, learner, app, nlp, questions, flagged):
    response = client.post("/exercises/hill-family/child-interview",
                           data={**INTERVIEW, "questions": questions, "revision": "0", "check": "1"})
    text = _feedback(response.get_data(as_text=True))
    assert response.status_code == 200
    if flagged is None:
        assert "Ready: every part is there" in text and "No wording issues found" in text
    else:
        assert flagged in text and "Keep going" in text
    with app.app_context():
        work = get_practice(learner, "hill-family", CHILD_INTERVIEW, "jayden")
        assert work.versions[0].text == graded_text(CHILD_INTERVIEW, work.data)
        assert work.versions[0].verdict == ("ready" if flagged is None else "revise")


def test_each_child_has_their_own_plan(client, learner, app):
    for child in ("bao", "an"):
        client.post(f"/exercises/nguyen-family/child-interview?child={child}",
                    data={"house": "safety_house", "opening": f"Hello {child}.", "revision": "0", "save": "Save"})
    with app.app_context():
        works = db.session.scalars(select(PracticeWork).order_by(PracticeWork.subject)).all()
        assert [(w.subject, w.data["opening"]) for w in works] == [("an", "Hello an."), ("bao", "Hello bao.")]


def test_a_grader_failure_keeps_the_plan(client, learner, app, monkeypatch, tmp_path):
    monkeypatch.setattr(grader.pipeline, "_nlp", None)
    monkeypatch.setattr(grader.pipeline, "_state", "idle")
    monkeypatch.setattr(grader.pipeline, "_error", None)
    monkeypatch.setattr(grader.pipeline, "_load", lambda fast_attributes=True: spacy.load(tmp_path / "no-model"))
    html = client.post("/exercises/hill-family/child-interview",
                       data={**INTERVIEW, "revision": "0", "check": "1"}).get_data(as_text=True)
    assert "Feedback is unavailable right now; your draft is saved." in html
    with app.app_context():
        work = get_practice(learner, "hill-family", CHILD_INTERVIEW, "jayden")
        assert work.data["opening"] == INTERVIEW["opening"] and work.versions == []


def test_checking_is_rate_limited_but_the_plan_is_saved(client, learner, app, nlp):
    app.config["GRADE_RATE_PER_USER"] = 1
    saved = client.post("/exercises/hill-family/network", data={"orientation": "Rose, hello.", "revision": "0",
                                                                "save": "Save"})
    checked = client.post("/exercises/hill-family/network", data={"orientation": "Rose, hi.", "revision": "1",
                                                                  "check": "1"})
    paused = client.post("/exercises/hill-family/network", data={"orientation": "Rose, hi again.", "revision": "2",
                                                                 "check": "1"})
    assert (saved.status_code, checked.status_code, paused.status_code) == (200, 200, 429)
    assert paused.headers["Retry-After"] and "checking is paused" in paused.get_data(as_text=True)
    with app.app_context():
        assert get_practice(learner, "hill-family", NETWORK).data["orientation"] == "Rose, hi again."


@pytest.mark.parametrize("vignette_id", VIGNETTE_IDS)
def test_network_feedback_names_only_this_familys_people(client, learner, vignette_id):
    """Every name in the feedback comes from this family's roster (or the learner): none from another family."""
    vignette = get_vignette(vignette_id)
    others = _other_families_names(vignette_id)
    wrong = {f"circle_{i}": "none" for i in range(len(people_to_place(vignette)))}
    html = client.post(f"/exercises/{vignette_id}/network",
                       data={**wrong, "fit_0": "not_now", "revision": "0", "check": "1"}).get_data(as_text=True)
    text = _feedback(html)
    assert "compared with the case" in text
    leaked = sorted(name for name in others if re.search(rf"\b{re.escape(name)}\b", text))
    assert not leaked, leaked


def _other_families_names(vignette_id: str) -> set[str]:
    """Full names, and short names longer than three letters, that belong only to other families."""
    mine = get_vignette(vignette_id).roster
    others = {p.name for v in all_vignettes() if v.id != vignette_id for p in v.roster} - {p.name for p in mine}
    return others | {p.short for v in all_vignettes() if v.id != vignette_id for p in v.roster
                     if len(p.short) > 3 and p.short not in {q.short for q in mine}}


@pytest.mark.parametrize("vignette_id", [v for v in VIGNETTE_IDS if interview_children(get_vignette(v))])
def test_interview_feedback_names_only_this_familys_people(client, learner, nlp, vignette_id):
    """A plan that names nobody gets hints that name this family's child or generic words, never another family."""
    plan = {"house": "safety_house", "opening": "Hello. We will draw a house.",
            "questions": "Who lives in your house and who visits?\nWhy do you feel sad?", "sharing": "",
            "revision": "0", "check": "1"}
    text = _feedback(client.post(f"/exercises/{vignette_id}/child-interview", data=plan).get_data(as_text=True))
    assert "Keep going" in text
    leaked = sorted(n for n in _other_families_names(vignette_id) if re.search(rf"\b{re.escape(n)}\b", text))
    assert not leaked, leaked


@pytest.mark.parametrize("vignette_id, key", [(v, child_key(p)) for v in VIGNETTE_IDS
                                                for p in interview_children(get_vignette(v))])
def test_interview_feedback_is_about_the_child_of_the_plan(client, learner, nlp, vignette_id, key):
    """The hints of one child's plan name that child (the grader is told which), never a brother or sister."""
    vignette = get_vignette(vignette_id)
    child = interview_child(vignette, key)
    plan = {"house": "three_houses", "opening": "", "questions": "Why do you hide?", "sharing": "",
            "revision": "0", "check": "1"}
    html = client.post(f"/exercises/{vignette_id}/child-interview?child={key}", data=plan).get_data(as_text=True)
    text = _feedback(html)
    name = child.short or child.name
    assert "Keep going" in text and re.search(rf"(?<=[a-z,] ){re.escape(name)}\b", text), text
    for other in vignette.children:
        if other.name != child.name:  # mid-sentence, so "An" is a name and not the article
            assert not re.search(rf"(?<=[a-z,] ){re.escape(other.short or other.name)}\b", text), (other.name, text)


def test_the_case_page_links_both_exercises(client, learner):
    html = client.get("/exercises/hill-family").get_data(as_text=True)
    assert 'href="/exercises/hill-family/network"' in html
    assert 'href="/exercises/hill-family/child-interview"' in html


# ---------------------------------------------------------------- objective 5

def test_objective_5_lists_and_tracks_the_practice_exercises(client, learner, app, nlp):
    with app.app_context():
        five = {c.number: c for c in coverage()}[5]
    urls = [e.url for e in five.exercises]
    assert "/exercises/hill-family/network" in urls and "/exercises/hill-family/child-interview" in urls
    assert "/exercises/okafor-family/network" in urls and "/exercises/okafor-family/child-interview" not in urls
    client.post("/exercises/hill-family/child-interview", data={**INTERVIEW, "revision": "0", "check": "1"})
    client.post("/exercises/ruiz-family/network", data={"orientation": "Sofia, hello.", "revision": "0", "save": "1"})
    with app.app_context():
        from course.models import User

        user = db.session.get(User, learner)
        five = {c.number: c for c in coverage(user)}[5]
    states = {e.url: (e.status, e.detail) for e in five.exercises}
    assert states["/exercises/hill-family/child-interview"] == ("done", "checked: ready")
    assert states["/exercises/ruiz-family/network"] == ("started", "plan in progress")
    assert states["/exercises/hill-family/network"] == ("not_started", "")
