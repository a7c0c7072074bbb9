"""The vignette loader: shipped files are valid, every schema slip is reported with file, line and entry."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from course.vignettes import (
    CATEGORIES,
    EVIDENCE_PHRASE,
    FAMILIES_DOC,
    MAP_COLUMNS,
    MAP_ENTRY_WORDS,
    MAX_SENTENCE_WORDS,
    MAX_STATEMENT_GRADE,
    TABLE_END,
    TABLE_START,
    all_vignettes,
    check_vignettes,
    families_table,
    library_for,
    profile_lists,
    reading_figures,
    validate_file,
    with_families_table,
)

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "vignettes"
HILL = SHIPPED / "hill-family.yaml"


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    from grader import load_pipeline

    return load_pipeline()


def test_shipped_vignettes_are_valid():
    assert check_vignettes(SHIPPED) == []
    vignettes = library_for(SHIPPED).all()
    assert {v.id for v in vignettes} >= set(SHIPPED_IDS)


SHIPPED_IDS = ["hill-family", "nguyen-family", "ruiz-family", "okafor-family", "pruitt-family", "bennett-family",
               "karimi-clark-family", "medina-family"]


@pytest.mark.parametrize("vignette_id", SHIPPED_IDS)
def test_shipped_vignette_shape(vignette_id):
    vignette = library_for(SHIPPED).get(vignette_id)
    assert vignette is not None
    assert 12 <= len(vignette.mapping_facts) <= 16
    assert {f.category for f in vignette.mapping_facts} <= set(CATEGORIES)
    assert vignette.children, "every case needs a child in the roster"
    for person in vignette.roster:
        assert person.name and person.short and person.role
        assert hasattr(person, "age") and hasattr(person, "pronouns")
    assert len(vignette.exemplars["danger"]) == len(vignette.exemplars["safety_goal"])
    assert (vignette.exemplars["harm"] == []) == vignette.danger_only


@pytest.mark.parametrize("vignette_id", SHIPPED_IDS)
def test_model_map_has_every_board_column(vignette_id):
    vignette = library_for(SHIPPED).get(vignette_id)
    assert list(vignette.model_map) == list(MAP_COLUMNS)
    assert "needs" in vignette.model_map and set(CATEGORIES) < set(vignette.model_map)
    for column, entries in vignette.model_map.items():
        assert entries, f"{vignette_id}: model map column {column} is empty"
        assert all(len(e.split()) <= MAP_ENTRY_WORDS for e in entries)


def test_okafor_and_pruitt_are_the_danger_only_cases():
    danger_only = {v.id for v in library_for(SHIPPED).all() if v.danger_only}
    assert danger_only == {"okafor-family", "pruitt-family"}


def test_the_poverty_family_explains_what_is_not_danger():
    pruitt = library_for(SHIPPED).get("pruitt-family")
    assert "poverty/resources" in pruitt.profile.worries
    assert len(pruitt.not_danger) >= 3
    for entry in pruitt.not_danger:
        assert entry.worry and entry.explanation and entry.instead and entry.cues
    cues = {cue for entry in pruitt.not_danger for cue in entry.cues}
    assert {"hungry", "school", "dirty"} <= cues


def _write(tmp_path: Path, data: dict | str, stem: str = "hill-family") -> Path:
    """Write a vignette file (dict dumped as YAML, or raw text) and return its path."""
    path = tmp_path / f"{stem}.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """Return the 1-based line where needle appears for the nth time."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def _hill() -> dict:
    return yaml.safe_load(HILL.read_text(encoding="utf-8"))


def _set_fact_category(d):
    d["mapping_facts"][2]["category"] = "worry"


def _dup_fact(d):
    d["mapping_facts"][4]["id"] = "f1"


def _bad_role(d):
    d["roster"][1]["role"] = "parent"


def _bad_pronouns(d):
    d["roster"][0]["pronouns"] = "him"


def _no_scale(d):
    del d["scale_guidance"]


def _unknown_field(d):
    d["difficulty"] = "hard"


def _wrong_id(d):
    d["id"] = "hills"


def _unpaired_goals(d):
    d["exemplars"]["safety_goal"] = d["exemplars"]["safety_goal"][:1]


def _danger_only_with_harm(d):
    d["danger_only"] = True


def _few_facts(d):
    d["mapping_facts"] = d["mapping_facts"][:5]


def _short_narrative(d):
    d["narrative"] = "Too short to be a case."


def _missing_prompt(d):
    del d["prompts"]["danger"]


def _fact_without_explanation(d):
    del d["mapping_facts"][6]["explanation"]


def _no_grey(d):
    d["mapping_facts"] = [f for f in d["mapping_facts"] if f["category"] != "grey"] + [
        dict(d["mapping_facts"][0], id=f"x{i}") for i in range(2)]


def _map_unknown_column(d):
    d["model_map"]["worries"] = ["Marcus drinks."]


def _map_missing_column(d):
    del d["model_map"]["needs"]


def _map_long_entry(d):
    d["model_map"]["strength"][1] = " ".join(["word"] * (MAP_ENTRY_WORDS + 1))


def _map_empty_column(d):
    d["model_map"]["grey"] = []


def _map_not_a_mapping(d):
    d["model_map"] = ["Marcus grabbed Jayden."]


def _profile_unknown_group(d):
    d["family_profile"]["cultural_group"] = "Martian"


def _profile_not_a_caregiver(d):
    d["family_profile"]["caregiver_of_concern"] = "Jayden Hill"


def _profile_unknown_worry(d):
    d["family_profile"]["worries"] = ["physical harm", "bad vibes"]


def _profile_missing_heritage(d):
    del d["family_profile"]["heritage"]


def _no_profile(d):
    del d["family_profile"]


def _evidence_on_a_harm_fact(d):
    d["mapping_facts"][0]["evidence"] = True


def _evidence_not_explained(d):
    d["mapping_facts"][3]["explanation"] = "It happened twice last spring."


def _past_danger_without_evidence(d):
    del d["mapping_facts"][3]["evidence"]


def _poverty_without_not_danger(d):
    d["family_profile"]["worries"] = ["poverty/resources"]


def _not_danger_without_instead(d):
    d["not_danger"] = [{"worry": "Money is tight.", "explanation": "Money alone is not danger."}]


def _not_danger_loud_cues(d):
    d["not_danger"] = [{"worry": "Money is tight.", "explanation": "Money alone is not danger.",
                        "instead": "Write it as a need.", "cues": ["Money"]}]


# (mutation, words the message must contain, text on the expected line, which occurrence)
CASES = [
    (_set_fact_category, ["mapping fact 'f3'", "category must be one of"], "category: worry", 1),
    (_dup_fact, ["mapping fact 'f1'", "id is used twice"], "- id: f1", 2),
    (_bad_role, ["roster entry 'Tanya Hill'", "role must be one of"], "role: parent", 1),
    (_bad_pronouns, ["roster entry 'Jayden Hill'", "pronouns"], "pronouns: him", 1),
    (_no_scale, ["missing required field 'scale_guidance'"], "id: hill-family", 1),
    (_unknown_field, ["unknown field 'difficulty'"], "difficulty:", 1),
    (_wrong_id, ["id 'hills' must match the file name"], "id: hills", 1),
    (_unpaired_goals, ["2 danger statements but 1 safety goals"], "safety_goal:", 2),
    (_danger_only_with_harm, ["harm must be null when danger_only"], "harm: ", 2),
    (_few_facts, ["mapping_facts has 5 facts"], "mapping_facts:", 1),
    (_short_narrative, ["narrative has 6 words"], "narrative:", 1),
    (_missing_prompt, ["prompts: missing 'danger'"], "prompts:", 1),
    (_fact_without_explanation, ["mapping fact 'f7'", "missing 'explanation'"], "- id: f7", 1),
    (_no_grey, ["nothing in: grey"], "mapping_facts:", 1),
    (_map_unknown_column, ["model_map: unknown column 'worries'"], "worries:", 1),
    (_map_missing_column, ["model_map: missing column 'needs'"], "model_map:", 1),
    (_map_long_entry, ["model_map: strength entry #2 has 26 words"], "word word word", 1),
    (_map_empty_column, ["model_map: grey must be a list"], "grey: []", 1),
    (_map_not_a_mapping, ["model_map must be a mapping"], "model_map:", 1),
    (_profile_unknown_group, ["family_profile: cultural_group must be one of"], "cultural_group: Martian", 1),
    (_profile_not_a_caregiver, ["caregiver_of_concern must be the full name of a roster caregiver", "Marcus Hill"],
     "caregiver_of_concern: Jayden Hill", 1),
    (_profile_unknown_worry, ["worry 'bad vibes' is not one of"], "worries:", 1),
    (_profile_missing_heritage, ["family_profile: missing 'heritage'"], "family_profile:", 1),
    (_no_profile, ["missing required field 'family_profile'"], "id: hill-family", 1),
    (_evidence_on_a_harm_fact, ["mapping fact 'f1'", "only a danger fact"], "evidence: true", 1),
    (_evidence_not_explained, ["mapping fact 'f4'", EVIDENCE_PHRASE], "It happened twice last spring.", 1),
    (_past_danger_without_evidence, ["mapping fact 'f4'", "evidence: true"], "text: Twice last spring", 1),
    (_poverty_without_not_danger, ["needs not_danger entries"], "worries:", 1),
    (_not_danger_without_instead, ["not_danger entry #1", "missing 'instead'"], "- worry: Money is tight.", 1),
    (_not_danger_loud_cues, ["not_danger entry #1", "cues must be"], "cues:", 1),
]


@pytest.mark.parametrize("mutate, words, line_text, occurrence", CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_schema_errors_name_file_line_and_entry(tmp_path, mutate, words, line_text, occurrence):
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


def test_invalid_yaml_reports_its_line(tmp_path):
    text = HILL.read_text(encoding="utf-8").replace("danger_only: false", "danger_only: [false", 1)
    path = _write(tmp_path, text)
    _, problems = validate_file(path)
    assert len(problems) == 1 and "not valid YAML" in problems[0].message
    assert problems[0].line >= _line_of(path, "danger_only: [false")


def test_a_broken_file_does_not_hide_the_others(tmp_path):
    shutil.copy(HILL, tmp_path / "hill-family.yaml")
    broken = _hill()
    broken["id"] = "ruiz-family"
    broken["roster"][0]["role"] = "kid"
    _write(tmp_path, broken, stem="ruiz-family")
    library = library_for(tmp_path)
    assert [v.id for v in library.all()] == ["hill-family"]
    problems = check_vignettes(tmp_path)
    assert problems and all(p.path.endswith("ruiz-family.yaml") for p in problems)


def test_library_reloads_when_a_file_changes(tmp_path):
    path = tmp_path / "hill-family.yaml"
    shutil.copy(HILL, path)
    library = library_for(tmp_path)
    assert library.get("hill-family").title == "The Hill family"
    data = _hill()
    data["title"] = "The Hill family (edited)"
    _write(tmp_path, data)
    later = time.time() + 5
    os.utime(path, (later, later))
    assert library.get("hill-family").title == "The Hill family (edited)"


def test_roster_can_be_graded(nlp):
    from course.grading import roster_for
    from grader import grade

    vignette = library_for(SHIPPED).get("hill-family")
    report = grade(
        "harm", "On Saturday Marcus grabbed Jayden by the arm and he has bruises.", roster=roster_for(vignette)
    )
    assert report.component("child").present


# ---------------------------------------------------------------- reading level and the family profiles

def test_shipped_model_statements_read_at_grade_8(nlp):
    for vignette in library_for(SHIPPED).all():
        for kind, texts in vignette.exemplars.items():
            for text in texts:
                grade, longest = reading_figures(text)
                assert grade <= MAX_STATEMENT_GRADE, f"{vignette.id} {kind}: grade {grade}: {text}"
                assert longest <= MAX_SENTENCE_WORDS, f"{vignette.id} {kind}: a {longest}-word sentence: {text}"


def test_reading_figures_use_the_graders_measure(nlp):
    from grader import grade

    text = library_for(SHIPPED).get("hill-family").exemplars["danger"][0]
    assert reading_figures(text)[0] == grade("danger", text).metrics["grade_level"]


LONG_DANGER = ("Dana Ortiz, Tanya and Grandma Rose are worried that when Marcus has been drinking considerable "
               "quantities of alcohol in the garage during weekend football gatherings, he may physically grab "
               "Jayden again, and Jayden (7) could sustain a fracture or a serious head injury and experience "
               "persistent anxiety in his own home.")


def test_an_unreadable_model_statement_is_a_content_error(tmp_path, nlp):
    data = _hill()
    data["exemplars"]["danger"][1] = LONG_DANGER
    path = _write(tmp_path, data)
    problems = check_vignettes(tmp_path)
    line = _line_of(path, "Grandma Rose are worried that when Marcus has been drinking considerable")
    grade_problem = [p for p in problems if "danger #2 reads at grade" in p.message]
    length_problem = [p for p in problems if "danger #2 has a sentence of" in p.message]
    assert grade_problem and length_problem, [str(p) for p in problems]
    for problem in grade_problem + length_problem:
        assert Path(problem.path).resolve() == path.resolve()
        assert problem.line in (line, line - 1), str(problem)  # the entry's "- >-" line or its first text line
    assert not check_vignettes(tmp_path, reading=False), "the reading check runs only when asked"


def _family(tmp_path: Path, stem: str, **profile) -> None:
    """Write a copy of the Hill family under another id with the given profile fields."""
    data = _hill()
    data["id"] = stem
    data["family_profile"].update(profile)
    _write(tmp_path, data, stem=stem)


def test_one_group_carrying_one_worry_twice_fails(tmp_path):
    _family(tmp_path, "a-family")
    _family(tmp_path, "b-family", worries=["substance use", "medical"])
    problems = check_vignettes(tmp_path, reading=False)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.path.endswith("b-family.yaml")
    assert "'Black' already carries the worry 'substance use' in a-family" in problem.message
    assert problem.line == _line_of(tmp_path / "b-family.yaml", "worries:")


def test_another_group_may_carry_the_same_worry(tmp_path):
    _family(tmp_path, "a-family")
    _family(tmp_path, "b-family", cultural_group="white", heritage="Irish American")
    assert check_vignettes(tmp_path, reading=False) == []


def test_one_gender_carrying_most_worries_fails(tmp_path):
    groups = ["Black", "white", "Latino", "Asian American"]
    for i, group in enumerate(groups):
        _family(tmp_path, f"family-{i}", cultural_group=group)
    problems = check_vignettes(tmp_path, reading=False)
    assert [p.message for p in problems if "4 of 4 caregivers of concern have the gender 'man'" in p.message]
    _family(tmp_path, "family-4", cultural_group="multiracial", gender="woman", caregiver_of_concern="Tanya Hill")
    _family(tmp_path, "family-5", cultural_group="Pacific Islander", gender="woman", caregiver_of_concern="Tanya Hill")
    assert check_vignettes(tmp_path, reading=False) == []


def test_profile_lists_are_valid_and_cover_the_issue():
    lists, problems = profile_lists()
    assert problems == []
    assert {"violence between adults", "poverty/resources", "emotional harm"} <= set(lists.worries)
    assert {"woman", "man", "nonbinary"} <= set(lists.genders)
    assert "Native American" in lists.cultural_groups


def test_shipped_profiles_name_a_caregiver_and_evidence_facts_say_so():
    for vignette in library_for(SHIPPED).all():
        caregivers = {p.name for p in vignette.roster if p.role == "caregiver"}
        assert vignette.profile.caregiver_of_concern in caregivers
        for fact in vignette.mapping_facts:
            if fact.evidence:
                assert fact.category == "danger" and EVIDENCE_PHRASE in fact.explanation.lower()


def test_families_doc_table_matches_the_profiles():
    document = FAMILIES_DOC.read_text(encoding="utf-8")
    current = with_families_table(document, families_table(all_vignettes(str(SHIPPED))))
    assert document == current, "docs/families.md is out of date: run `flask --app wsgi content families --write`"
    for vignette in library_for(SHIPPED).all():
        profile = vignette.profile
        assert f"| {vignette.id} | {profile.caregiver_of_concern} | {profile.gender} |" in document


def test_families_table_needs_its_markers():
    with pytest.raises(ValueError, match="families-table:start"):
        with_families_table("# Families\n", "| a |")
    text = f"before\n{TABLE_START}\nold table\n{TABLE_END}\nafter\n"
    assert with_families_table(text, "| new |") == f"before\n{TABLE_START}\n| new |\n{TABLE_END}\nafter\n"


def test_content_families_command_prints_the_table(app):
    result = app.test_cli_runner().invoke(args=["content", "families"])
    assert result.exit_code == 0, result.output
    assert "| pruitt-family | Shane Pruitt | man | white | poverty/resources |" in result.output


# ---------------------------------------------------------------- every family, end to end

def _statement_slots(vignette) -> list[tuple[str, str, str]]:
    """Return (kind, slot path, text) for the model statements a learner could write for the family."""
    slots = [] if vignette.danger_only else [("harm", "harm/1", vignette.exemplars["harm"][0])]
    slots += [("danger", "danger/1", vignette.exemplars["danger"][0]),
              ("safety_goal", "safety-goal/1", vignette.exemplars["safety_goal"][0]),
              ("sf_question", "questions/1", " ".join(vignette.exemplars["sf_question"]))]
    return slots


@pytest.mark.parametrize("vignette_id", SHIPPED_IDS)
def test_each_family_works_end_to_end(vignette_id, app, client, auth, factory, nlp):
    import html
    import re

    from sqlalchemy import select

    from course.extensions import db
    from course.models import Work, WorkVersion
    from course.review.rubric import criteria

    trainer = factory.user("trainer", email="trainer@example.org")
    cohort = factory.cohort("Families", trainer_id=trainer)
    learner = factory.user("learner", email="learner@example.org", cohort_id=cohort)
    vignette = library_for(SHIPPED).get(vignette_id)
    base = f"/exercises/{vignette_id}"
    auth.login("learner@example.org")
    assert html.escape(vignette.title) in client.get(base).get_data(as_text=True)

    # The map: every fact in its keyed column scores full marks.
    form = {f"fact_{f.id}": f.category for f in vignette.mapping_facts}
    form.update(scale="5", scale_reason="Some worries are serious, and the family has real strengths.")
    mapped = client.post(f"{base}/mapping", data=form)
    assert mapped.status_code == 302, mapped.get_data(as_text=True)[:500]
    facts = len(vignette.mapping_facts)
    assert f"{facts} of {facts}" in client.get(mapped.headers["Location"]).get_data(as_text=True)

    # The statements: the model statements, saved and submitted, all grade "ready".
    slots = _statement_slots(vignette)
    for _, path, text in slots:
        saved = client.post(f"{base}/write/{path}/autosave", json={"text": text, "revision": 0})
        assert saved.status_code == 200, saved.get_json()
    revisions = dict(re.findall(r'name="(rev_\d+)" value="(\d+)"', client.get(f"{base}/submit").get_data(as_text=True)))
    submitted = client.post(f"{base}/submit", data=revisions)
    assert submitted.status_code == 302
    assert f"Submitted {len(slots)} statements" in client.get(submitted.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        verdicts = {v.work.kind: v.verdict for v in db.session.scalars(select(WorkVersion))}
        danger_id = db.session.scalar(select(Work.id).where(Work.user_id == learner, Work.kind == "danger"))
    assert verdicts == {kind: "ready" for kind, _, _ in slots}, f"{vignette_id}: a model statement is not ready"

    # The review: the trainer sees the case and its exemplar, and accepts the danger statement.
    auth.logout()
    auth.login("trainer@example.org")
    set_url = f"/review/sets/{learner}/{vignette_id}"
    assert client.post(f"{set_url}/claim").status_code in (200, 302)
    review = html.unescape(client.get(set_url).get_data(as_text=True))
    assert vignette.title in review and "Trainer exemplar" in review
    with app.app_context():
        works = db.session.scalars(select(Work).where(Work.user_id == learner)).all()
        kinds = {w.id: w.kind for w in works}
    decision = {"action": "send"}
    for work_id, kind in kinds.items():  # the whole set is decided at once; the danger statement is accepted
        decision.update({f"w{work_id}-{c.id}-score": "meets" for c in criteria(kind)})
        decision[f"w{work_id}-overall_comment"] = "Clear, plain and complete."
        decision[f"w{work_id}-decision"] = "accept" if work_id == danger_id else "return"
    assert client.post(set_url, data=decision).status_code == 302

    # Back to the learner: the accepted kind now shows the model statements.
    auth.logout()
    auth.login("learner@example.org")
    page = html.unescape(client.get(f"{base}/write/danger/1").get_data(as_text=True))
    assert " ".join(vignette.exemplars["danger"][0].split()[:8]) in " ".join(page.split())
