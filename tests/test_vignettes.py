"""The vignette loader: shipped files are valid, every schema slip is reported with file, line and entry."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from course.vignettes import CATEGORIES, check_vignettes, library_for, validate_file

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
    assert {v.id for v in vignettes} >= {"hill-family", "nguyen-family", "ruiz-family", "okafor-family"}


@pytest.mark.parametrize("vignette_id", ["hill-family", "nguyen-family", "ruiz-family", "okafor-family"])
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


def test_okafor_is_the_danger_only_case():
    assert library_for(SHIPPED).get("okafor-family").danger_only is True
    assert library_for(SHIPPED).get("hill-family").danger_only is False


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
