"""Component detectors, question classifier, the grade() contract and robustness."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import grader
from grader import KINDS, MAX_CHARS, grade, grade_many
from tests.grader_fixtures import HILL_ROSTER, NGUYEN_ROSTER, RUIZ_ROSTER, assert_spans, course_rosters

# (kind, text, roster, component, expected presence)
COMPONENT_CASES = [
    ("harm", "Marcus grabbed Jayden by the arm.", HILL_ROSTER, "caregiver_action", True),
    ("harm", "Marcus neglected Jayden.", HILL_ROSTER, "caregiver_action", False),
    ("harm", "Jayden was hit on Saturday.", HILL_ROSTER, "caregiver_action", False),
    ("harm", "Jayden was hit by Marcus on Saturday.", HILL_ROSTER, "caregiver_action", True),
    ("harm", "Marcus had been drinking all day.", HILL_ROSTER, "caregiver_action", False),
    ("harm", "Ana left Mia (4) and Leo (2) alone from 9 p.m. to 2 a.m.", RUIZ_ROSTER, "caregiver_action", True),
    ("harm", "Her boyfriend locked the 6-year-old out on the balcony.", None, "caregiver_action", True),
    ("harm", "Mom is a bad parent.", None, "child", False),
    ("harm", "The minor was left alone.", None, "child", True),
    ("harm", "Mother left the 4-year-old in the car.", None, "child", True),
    ("harm", "Jayden had a bruise on his arm.", HILL_ROSTER, "impact", True),
    ("harm", "Mia cried in the hallway until a neighbor came.", RUIZ_ROSTER, "impact", True),
    ("harm", "An missed eleven days of kindergarten.", NGUYEN_ROSTER, "impact", True),
    ("harm", "Kai (6) missed eleven days of kindergarten.", None, "impact", True),
    ("harm", "Marcus grabbed Jayden.", HILL_ROSTER, "impact", False),
    ("harm", "Marcus screamed at Tanya.", HILL_ROSTER, "impact", False),
    ("harm", "On Saturday night Marcus grabbed Jayden.", HILL_ROSTER, "when", True),
    ("harm", "Ana left Mia alone three times in May.", RUIZ_ROSTER, "when", True),
    ("harm", "Ana left Mia alone for two days.", RUIZ_ROSTER, "when", True),
    ("harm", "Marcus grabbed Jayden.", HILL_ROSTER, "when", False),
    (
        "danger",
        "The social worker and Aunt Keisha are worried that Marcus may hit Jayden.",
        HILL_ROSTER,
        "worried_who",
        True,
    ),
    ("danger", "There is a worry that Marcus may hit Jayden.", HILL_ROSTER, "worried_who", False),
    ("danger", "We worry that Marcus may hit Jayden.", HILL_ROSTER, "worried_who", True),
    ("danger", "Dana is worried that Marcus may grab or throw Jayden.", HILL_ROSTER, "caregiver_behavior", True),
    ("danger", "Marcus hit Jayden when he was drinking.", HILL_ROSTER, "caregiver_behavior", False),
    ("danger", "Father will continue to abuse the child.", None, "caregiver_behavior", False),
    ("danger", "Jayden could break his arm or hit his head.", HILL_ROSTER, "future_impact", True),
    ("danger", "We are worried that Jayden could be hurt again.", HILL_ROSTER, "future_impact", False),
    # a generic "hurt" made concrete by its degree or its cause (grader 2.4.0)
    ("danger", "We are worried that Jayden could be badly hurt.", HILL_ROSTER, "future_impact", True),
    ("danger", "Marcus may drive drunk with Jayden, and Jayden could be hurt in a crash.", HILL_ROSTER,
     "future_impact", True),
    ("danger", "We are worried that Jayden could be hurt in the house.", HILL_ROSTER, "future_impact", False),
    # a reporting place ("in school") owns no effect: the child who falls behind does
    ("danger", "The worker is worried that Marcus will keep drinking and Jayden could fall behind in school.",
     HILL_ROSTER, "future_impact", True),
    ("danger", "Leo could swallow pills left on the table.", RUIZ_ROSTER, "future_impact", True),
    ("danger", "When Marcus has been drinking, he may grab Jayden.", HILL_ROSTER, "context", True),
    ("danger", "If nothing changes, Marcus may grab Jayden.", HILL_ROSTER, "context", False),
    ("danger", "Marcus may grab Jayden.", HILL_ROSTER, "context", False),
    (
        "safety_goal",
        "The social worker and Keisha need to see Tanya take Jayden to Keisha's.",
        HILL_ROSTER,
        "who_needs_to_see",
        True,
    ),
    ("safety_goal", "Tanya will take Jayden to Keisha's.", HILL_ROSTER, "who_needs_to_see", False),
    ("safety_goal", "Dana needs to see Tanya take Jayden to Keisha's.", HILL_ROSTER, "caregiver_action", True),
    ("safety_goal", "Marcus will not hit Jayden.", HILL_ROSTER, "caregiver_action", False),
    ("safety_goal", "Marcus will attend parenting classes.", HILL_ROSTER, "caregiver_action", False),
    ("safety_goal", "The social worker needs to see Ana stay sober.", RUIZ_ROSTER, "caregiver_action", False),
    ("safety_goal", "Tanya calls Keisha even when Marcus has been drinking.", HILL_ROSTER, "context", True),
    ("safety_goal", "Tanya calls Keisha every weekend for the next six months.", HILL_ROSTER, "duration", True),
    ("safety_goal", "Tanya calls Keisha over the next 90 days.", HILL_ROSTER, "duration", True),
    ("safety_goal", "Tanya calls Keisha every weekend.", HILL_ROSTER, "duration", False),
    ("safety_goal", "Tanya calls Keisha, so that Jayden feels safe at home.", HILL_ROSTER, "child_experience", True),
    ("safety_goal", "Tanya calls Keisha whenever Jayden is at soccer.", HILL_ROSTER, "child_experience", False),
]


@pytest.mark.parametrize(
    "kind,text,roster,component,expected",
    COMPONENT_CASES,
    ids=[f"{c[0]}-{c[3]}-{c[4]}-{i}" for i, c in enumerate(COMPONENT_CASES)],
)
def test_component_detection(nlp, kind, text, roster, component, expected):
    report = grade(kind, text, roster=roster)
    comp = report.component(component)
    assert comp.present is expected, f"{kind}.{component} should be {expected} for {text!r}; evidence {comp.evidence}"
    assert_spans(text, report)


QUESTION_CASES = [
    ("Tell me about a time when things were calmer at home. What was different?", "exception", True, None),
    ("On a scale of 0 to 10, where 10 means Jayden is safe, where are things today?", "scaling", True, None),
    ("With so much going on, how have you kept getting Mia to school every day?", "coping", True, None),
    (
        "Suppose you woke up tomorrow and the worries were gone. What would you notice first?",
        "preferred_future",
        True,
        None,
    ),
    ("What would your sister say she has seen you do to keep Jayden safe?", "relationship", True, None),
    ("Who is the first person you would call if things started to get tense?", "network", True, None),
    ("What is one small thing that would move you from a 4 to a 5 this week?", "next_step", True, None),
    ("Do you drink?", "other", False, "closed_question"),
    ("Why did you let him back in?", "other", True, "why_question"),
    ("Tanya, I'm wondering why you let Marcus back in the house?", "other", True, "why_question"),
    ("Don't you think Mia deserves better?", "other", False, "leading_question"),
    ("You know the kids deserve a sober mom, don't you?", "other", False, "leading_question"),
    ("Is Jayden, who is 7, in Ms. Lee's class?", "other", False, "closed_question"),
    ("Bao, when your mom is having a sad day, what do you do that helps you feel okay?", "coping", True, None),
]


@pytest.mark.parametrize("text,qtype,is_open,error", QUESTION_CASES, ids=[c[0][:40] for c in QUESTION_CASES])
def test_question_classifier(nlp, text, qtype, is_open, error):
    report = grade("sf_question", text)
    assert len(report.questions) == 1, report.questions
    q = report.questions[0]
    assert (q.type, q.open) == (qtype, is_open), f"{text!r}: got {q.type}, open={q.open}"
    errors = [f.category for f in report.findings if f.severity == "error"]
    assert errors == ([error] if error else []), f"{text!r}: {errors}"
    assert report.verdict == ("ready" if error is None else "revise")


def test_questions_split_by_line_and_question_mark(nlp):
    text = "What went well this week? Who helped?\nHow did Keisha know to come over?"
    report = grade("sf_question", text)
    assert [q.text for q in report.questions] == [
        "What went well this week?",
        "Who helped?",
        "How did Keisha know to come over?",
    ]
    assert report.components == ()


def test_no_question_is_not_ready(nlp):
    report = grade("sf_question", "I will ask Tanya about her week.")
    assert report.verdict == "revise" and report.questions == ()
    assert [f.category for f in report.findings] == ["no_question"]


def test_ready_statement_and_report_shape(nlp):
    text = (
        "On Saturday night, May 4, Marcus grabbed Jayden (7) by the arm and threw him against the wall. "
        "Jayden had a bruise on his arm and told Ms. Lee he was scared to go home."
    )
    report = grade("harm", text, roster=course_rosters().get("hill-family"))
    data = report.to_dict()
    assert data["verdict"] == "ready", data
    assert [c["id"] for c in data["components"]] == ["caregiver_action", "child", "impact", "when"]
    assert set(data) == {"kind", "verdict", "components", "findings", "questions", "metrics", "grader_version"}
    assert data["grader_version"] == grader.GRADER_VERSION
    assert data["metrics"]["words"] > 20 and data["metrics"]["sentences"] == 2
    json.dumps(data)


def test_poor_statement_gets_kind_hints_and_sorted_findings(nlp):
    text = "Mother neglected the minor. DV in the home. The house is dirty."
    report = grade("harm", text, roster=HILL_ROSTER)
    cats = [f.category for f in report.findings]
    assert cats == ["vague_label", "jargon", "jargon", "judgmental"], cats
    assert [f.start for f in report.findings] == sorted(f.start for f in report.findings)
    impact = report.component("impact")
    assert not impact.present and impact.evidence == () and "Jayden" in impact.hint
    assert report.verdict == "revise"
    assert all(f.suggestion for f in report.findings)


@pytest.mark.parametrize(
    "text,flagged",
    [
        ("The Child and Family Team (CFT) met on Monday. The CFT agreed.", False),
        ("The CFT agreed.", True),
        ("Child Protective Services (CPS) called.", False),
    ],
)
def test_acronym_spelled_out_is_not_flagged(nlp, text, flagged):
    report = grade("harm", text)
    assert any(f.category == "jargon" for f in report.findings) is flagged


def test_quoted_words_and_roster_names_are_not_flagged(nlp):
    text = 'Ana said, "Everyone thinks I am a lazy, neglectful mom."'
    assert not [f for f in grade("harm", text).findings if f.severity == "error"]
    roster = {
        "roster": [
            {"name": "Jasmine Minor", "short": "Jasmine", "role": "child", "age": 8},
            {"name": "Evelyn Minor", "short": "Evelyn", "role": "caregiver", "age": 60},
        ]
    }
    report = grade("harm", "Evelyn Minor kept Jasmine Minor home on Monday.", roster=roster)
    assert not [f for f in report.findings if f.category == "jargon"]


def test_safety_goal_rules_only_apply_to_safety_goals(nlp):
    assert [f.category for f in grade("safety_goal", "Marcus will not hit Jayden.").findings] == ["negative_framing"]
    assert not grade("danger", "Marcus will not hit Jayden.").findings


@pytest.mark.parametrize(
    "kind,text,message",
    [
        ("story", "text", "Unknown kind"),
        ("harm", "", "empty"),
        ("harm", "   \n\t ", "empty"),
        ("harm", "x" * (MAX_CHARS + 1), "limit"),
        ("harm", None, "string"),
    ],
)
def test_bad_input_raises_value_error(kind, text, message):
    with pytest.raises(grader.GraderInputError, match=message):
        grade(kind, text)


def test_roster_forms_and_no_id_lookup(nlp, tmp_path):
    with pytest.raises(grader.GraderInputError, match="not a vignette id"):
        grade("harm", "Marcus hit Jayden.", roster="hill-family")
    with pytest.raises(grader.GraderInputError, match="not a vignette id"):
        grade("harm", "Marcus hit Jayden.", vignette="../etc/passwd")
    with pytest.raises(grader.GraderInputError, match="not both"):
        grade("harm", "Marcus hit Jayden.", roster=HILL_ROSTER, vignette=HILL_ROSTER)
    with pytest.raises(grader.GraderInputError, match="'name'"):
        grade("harm", "Kim hit Bo.", roster={"roster": [{"role": "child"}]})
    people = (
        grader.Person("Kim Lo", "Kim", "caregiver", "30", "she/her"),
        grader.Person("Bo Lo", "Bo", "child", "6", "he/him"),
    )
    as_roster = grader.Roster(id="test-family", people=people)
    as_dict = {
        "id": "test-family",
        "roster": [
            {"name": "Kim Lo", "short": "Kim", "role": "caregiver"},
            {"name": "Bo Lo", "short": "Bo", "role": "child", "age": 6},
        ],
    }
    for roster in (as_roster, as_dict):
        report = grade("harm", "Kim locked Bo in the yard.", roster=roster)
        assert report.component("caregiver_action").present and report.component("child").present
    assert (
        grade("harm", "Kim locked Bo in the yard.", vignette=as_dict).to_dict()
        == grade("harm", "Kim locked Bo in the yard.", roster=as_dict).to_dict()
    )


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"danger": 5}, "danger="),
        ({"danger": ["ok", 3]}, "danger="),
        ({"child_age": -1}, "child_age="),
        ({"child_age": "six"}, "child_age="),
        ({"child_age": True}, "child_age="),
    ],
)
def test_bad_extra_inputs_say_what_to_pass(kwargs, message):
    with pytest.raises(grader.GraderInputError, match=message):
        grade("safety_goal", "Tanya calls Keisha.", **kwargs)


def test_grader_has_its_own_hard_limit():
    assert grader.MAX_CHARS >= 20000
    with pytest.raises(grader.GraderInputError, match="limit"):
        grade("harm", "a" * (grader.MAX_CHARS + 1))


def test_grade_many_matches_grade_and_keeps_order(nlp):
    items = [
        ("harm", "Marcus neglected Jayden."),
        {"kind": "sf_question", "text": "Do you drink?"},
        ("danger", "Dana is worried that Marcus may hit Jayden.", HILL_ROSTER),
    ]
    many = grade_many(items)
    single = [
        grade(i[0], i[1], roster=i[2] if len(i) > 2 else None) if isinstance(i, tuple) else grade(i["kind"], i["text"])
        for i in items
    ]
    assert [r.to_dict() for r in many] == [r.to_dict() for r in single]
    mixed = grade_many([("harm", "Marcus hit Jayden."), ("nope", "x"), ("harm", "")], errors="return")
    assert isinstance(mixed[0], grader.Report)
    assert isinstance(mixed[1], grader.GradeError) and isinstance(mixed[2], grader.GradeError)
    with pytest.raises(ValueError):
        grade_many([("nope", "x")])


def test_pipeline_status_and_preload(nlp):
    assert grader.pipeline_status() == "ready"
    thread = grader.preload_in_background()
    thread.join(5)
    assert grader.pipeline_status() == "ready" and grader.load_pipeline() is nlp
    results = []
    workers = [threading.Thread(target=lambda: results.append(grade("harm", "Marcus hit Jayden."))) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(results) == 4 and len({json.dumps(r.to_dict()) for r in results}) == 1


def test_grader_package_does_not_import_flask():
    import pathlib
    import re

    for path in pathlib.Path(grader.__file__).parent.glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+flask", path.read_text(encoding="utf-8"), re.M), path


ODD_TEXTS = [
    "😀 Marcus hit Jayden 😡 on Saturday.",
    "מרקוס היכה את ג'יידן ביום שבת. Marcus neglected Jayden.",
    "<b>Marcus</b> <script>alert(1)</script> neglected Jayden &amp; Mia.",
    "Marcus\x00 hit\x07 Jayden\u200b on\u202e Saturday.\r\n\tDV.",
    "   leading spaces. CPS.   ",
    ("Marcus grabbed Jayden on Saturday and Jayden cried. " * 100)[:MAX_CHARS],
    "?" * 50,
    "Why? Do you? Don't you think? " * 10,
]


@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
@pytest.mark.parametrize("kind", KINDS)
def test_odd_input_keeps_offsets_valid(nlp, kind, text):
    report = grade(kind, text)
    assert_spans(text, report)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(KINDS),
    text=st.lists(
        st.one_of(
            st.text(min_size=1, max_size=12),
            st.sampled_from(
                [
                    " ",
                    ".",
                    "?",
                    "\n",
                    '"',
                    "(",
                    ")",
                    "DV",
                    "neglect",
                    "Marcus ",
                    "Jayden ",
                    "was hit",
                    "555-0142",
                    "Why ",
                    "Do you ",
                    "CFT",
                    "may ",
                    "when ",
                ]
            ),
        ),
        min_size=1,
        max_size=40,
    )
    .map("".join)
    .filter(lambda t: t.strip()),
)
def test_grade_never_crashes_and_offsets_hold(nlp, kind, text):
    report = grade(kind, text)
    assert_spans(text, report)
    assert report.verdict in ("ready", "revise")
