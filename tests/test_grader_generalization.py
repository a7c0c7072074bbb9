"""Unseen-style statements: new fictional names, free text, no vignette roster.

These examples are written fresh for this file (no course family, no corpus row) so they
check that the detectors work from general cues rather than from known names.
"""

from __future__ import annotations

import pytest

from grader import grade
from tests.grader_fixtures import assert_spans

# (kind, text, component, expected presence); every text is graded without a vignette.
COMPONENT_CASES = [
    # child: unknown names with an age, a child noun, or acted on by the caregiver
    ("harm", "On Sunday, Dad left Sami, who is 3, alone in the car for an hour.", "child", True),
    ("harm", "On Friday night the stepfather pushed Mateo (14) out of the house and locked the door.", "child", True),
    ("harm", "Mom slapped Lucia across the face on Tuesday morning.", "child", True),
    ("harm", "On March 3 the mother left Ellie (10 months) alone in the bath.", "child", True),
    ("harm", "On Monday, Jenna shook 6-year-old Tyler by the shoulders.", "child", True),
    ("harm", "Last night Mom's boyfriend locked her son Omar outside in the cold.", "child", True),
    ("harm", "The twins were left without food for two days.", "child", True),
    ("harm", "Priyanka, age 6, was found walking along the highway on 5/3.", "child", True),
    ("harm", "Kofi's father hit Kofi with a belt on Saturday.", "child", True),
    ("harm", "On Thursday, Gloria Banks pulled Nico out of bed by his hair.", "child", True),
    ("harm", "The 10-month-old had a diaper rash after Mom left her in the crib all day.", "child", True),
    ("harm", "Mr. Duarte drank six beers on Friday and shouted at Mrs. Duarte.", "child", False),
    ("harm", "Officer Grant spoke with Ms. Wendell on Monday about the noise.", "child", False),
    (
        "danger",
        "We are worried that when Dad drinks he may whip Tomas with a belt, and Tomas could have deep bruises.",
        "child",
        True,
    ),
    (
        "danger",
        "The worker is worried that Mom may leave the kids alone at night and they could wander into the street.",
        "child",
        True,
    ),
    ("harm", "Layla told her teacher that Dad hit her with a belt on Friday and she had welts.", "child", True),
    ("harm", "Mom hit Sami and Ava with a wooden spoon on Monday.", "child", True),
    ("harm", "Ellie's mother left her in the bath for ten minutes on Tuesday.", "child", True),
    ("harm", "On Monday a bruise was seen on Lucia's cheek.", "child", True),
    ("danger", "We are worried that when the boyfriend drinks, Lily could be badly hurt in the face.", "child", True),
    ("danger", "We worry that Benny may drown in the tub when his mom falls asleep.", "child", True),
    ("harm", "Carla Jimenez and Victor Jimenez argued loudly on Saturday night.", "child", False),
    ("harm", "Her teacher reported that the mother drinks every night.", "child", False),
    # child_experience: "so that <child> ..." with a name never seen before
    (
        "safety_goal",
        "The worker needs to see Rosa read with Tyler every night for the next 90 days, so that Tyler feels safe at "
        "bedtime.",
        "child_experience",
        True,
    ),
    (
        "safety_goal",
        "Grandpa and the social worker need to see Mom check Layla's backpack each afternoon for six months "
        "so that Layla "
        "can bring home her schoolwork without being afraid.",
        "child_experience",
        True,
    ),
    (
        "safety_goal",
        "The team needs to see Dad get up at 7 every school day for three months so the kids get to school on time.",
        "child_experience",
        True,
    ),
    (
        "safety_goal",
        "The worker needs to see Mom wake Zoe for school every morning for four months, so Zoe is in class by 8.",
        "child_experience",
        True,
    ),
    (
        "safety_goal",
        "The social worker needs to see Mom call her sister whenever she feels overwhelmed, for four "
        "months, so that she "
        "can rest.",
        "child_experience",
        False,
    ),
    (
        "safety_goal",
        "The worker needs to see Dad keep the gate locked whenever Lena is playing outside, for six months.",
        "child_experience",
        False,
    ),
    # caregiver_action / caregiver_behavior with unknown caregivers
    ("harm", "On 2/14 around 4pm, dad (Omar Haddad) left Sami (3) alone in the car.", "caregiver_action", True),
    (
        "harm",
        "Jenna Kowalski propped a bottle in Ellie's mouth and left the room on Sunday night.",
        "caregiver_action",
        True,
    ),
    ("harm", "Mom's boyfriend punched the wall next to Mateo's head last Thursday.", "caregiver_action", True),
    ("harm", "Last week the stepfather pushed Lucia down the stairs.", "caregiver_action", True),
    ("harm", "Stepfather Dale Price threw a shoe at Kayla on 6/2.", "caregiver_action", True),
    ("harm", "Lucia (5) fell down the stairs on Monday.", "caregiver_action", False),
    ("harm", "Nico was left alone in the car on Monday and cried for an hour.", "caregiver_action", False),
    ("harm", "A neighbor, Mr. Pham, found Lucia (6) wandering outside at 2 a.m. on Sunday.", "caregiver_action", False),
    ("harm", "Tom Pike, a neighbor, found Lucia wandering outside at 2 a.m. on Sunday.", "caregiver_action", False),
    (
        "safety_goal",
        "The nurse and Bea need to see that the baby sleeps in her crib, for three months.",
        "caregiver_action",
        False,
    ),
    ("harm", "The mother neglected the baby.", "caregiver_action", False),
    (
        "danger",
        "The worker is worried that when Tom Becker has been drinking he may punch Owen (9) in the face, "
        "and Owen could "
        "lose teeth.",
        "caregiver_behavior",
        True,
    ),
    (
        "danger",
        "We are worried that Jenna Kowalski may prop a bottle and leave Ellie alone, and Ellie could choke.",
        "caregiver_behavior",
        True,
    ),
    (
        "danger",
        "We worry that when he gets angry Mom's boyfriend may throw things at Sami, and Sami could be cut.",
        "caregiver_behavior",
        True,
    ),
    ("danger", "We are worried that the stepfather may abuse Kayla again.", "caregiver_behavior", False),
    # a name read as a child ("Nadia's mother") who bathes, feeds or leaves a young child is its carer
    (
        "danger",
        "The worker and Nadia's mother are worried that when Nadia drinks, she may bathe Omar (2) alone and "
        "Omar could drown.",
        "caregiver_behavior",
        True,
    ),
    (
        "danger",
        "We are worried that when Kiara (17) is up all night, she may leave Theo (3 months) in the car seat "
        "for hours, and he could stop breathing.",
        "caregiver_behavior",
        True,
    ),
    # must not: a child with an age of their own who is near a younger child stays a child
    (
        "danger",
        "We are worried that when Mom is drunk, Lena (9) may bathe Kofi (1) alone and Kofi could drown.",
        "caregiver_behavior",
        False,
    ),
    ("danger", "We are worried that Sami (8) may hit Ada (4) and Ada could be hurt.", "caregiver_behavior", False),
    # when: specific date, day, time, frequency or period; not vague time, not an age
    ("harm", "Dad hit Omar (8) with a belt on 2/14 around 4pm and left welts.", "when", True),
    ("harm", "Dad hit Tyler with a belt last Thursday and Tyler had welts.", "when", True),
    ("harm", "Mom left the kids alone twice this month and they went hungry.", "when", True),
    ("harm", "Mom locked Omar in his room for three days and he missed school.", "when", True),
    ("harm", "Mom has recently left the kids alone and they went hungry.", "when", False),
    ("harm", "On several occasions, Dad hit Sami and left bruises.", "when", False),
    ("harm", "Mom sometimes forgets to feed Ellie (10 months), who is underweight.", "when", False),
    ("harm", "Dad hit Mateo, age 14, with a belt and left welts.", "when", False),
    ("harm", "Mom shook the 10-month-old and the baby went to the hospital.", "when", False),
    ("harm", "Dad hit Kai several times and left bruises.", "when", False),
    ("harm", "Dad hit Kai three times in April and left bruises.", "when", True),
    ("harm", "Mom left Arlo (18 months) in his crib without food from Friday to Sunday.", "when", True),
    ("harm", "Rosa woke up alone and called 911 in tears.", "impact", True),
]


@pytest.mark.parametrize(
    "kind,text,component,expected",
    COMPONENT_CASES,
    ids=[f"{c[0]}-{c[2]}-{c[3]}-{i}" for i, c in enumerate(COMPONENT_CASES)],
)
def test_unseen_component(nlp, kind, text, component, expected):
    report = grade(kind, text)
    comp = report.component(component)
    assert comp.present is expected, f"{kind}.{component} should be {expected} for {text!r}; evidence {comp.evidence}"
    assert_spans(text, report)


# (kind, text, the passive_voice marks expected, in order)
PASSIVE_CASES = [
    ("danger", "We are worried that Owen could get burned on the stove.", []),
    ("harm", "Sami gets fed only once a day by anyone.", []),
    ("harm", "Tyler keeps getting hit at home.", []),
    ("danger", "We worry the kids could get lost at the park.", []),
    ("harm", "Sami was burned on the stove on Monday.", ["was burned"]),
    ("harm", "The twins were left alone overnight.", ["were left"]),
    ("harm", "Owen is being watched by his aunt this week.", []),
    ("harm", "Layla has been hit several times.", ["been hit"]),
    # a past get-passive hides who did it (grader 2.3.0); a risk or a routine ("could get burned") does not
    ("harm", "Nico got pushed and then he was kicked.", ["got pushed", "was kicked"]),
    ("harm", "Nico got scared and then he got lost.", []),
    ("harm", "Nico was not hurt.", []),
    ("harm", "Nico was not buckled into his car seat.", ["was not buckled"]),
]


@pytest.mark.parametrize("kind,text,marks", PASSIVE_CASES, ids=[c[1][:40] for c in PASSIVE_CASES])
def test_passive_marks_hidden_actors(nlp, kind, text, marks):
    report = grade(kind, text)
    assert [f.text for f in report.findings if f.category == "passive_voice"] == marks


# (question, expected type, expected open)
QUESTION_CASES = [
    ("When has it gone better between you and Nia this month?", "exception", True),
    ("Think of a time when bedtime went smoothly: what was different?", "exception", True),
    ("What was different on the morning Rafi got to school on time?", "exception", True),
    ("How have you kept going since you lost your job?", "coping", True),
    ("How did you get through last winter with a newborn?", "coping", True),
    ("How have you managed to keep the baby fed this month?", "coping", True),
    ("On a scale of 0 to 10, how confident are you that Omar is safe at home?", "scaling", True),
    ("If 10 is the best week ever and 0 the worst, what number is this week?", "scaling", True),
    ("If the worries were gone tomorrow, what would be different at home?", "preferred_future", True),
    (
        "Imagine the case is closed a year from now; what are you doing with the kids on Saturdays?",
        "preferred_future",
        True,
    ),
    ("Suppose a miracle happened tonight; what would you notice in the morning?", "preferred_future", True),
    ("What would your mother say has changed since spring?", "relationship", True),
    ("What would Omar think if he saw you calling his grandma for help?", "relationship", True),
    ("Who else could help on the nights you work late?", "network", True),
    ("Who could you call at 2 a.m. if you needed a hand?", "network", True),
    ("Who in your family knows about the plan?", "network", True),
    ("Who helps you with the kids on weekends?", "network", True),
    ("What is one small step you could take by Friday?", "next_step", True),
    ("What would be the first sign that things are moving in the right direction?", "next_step", True),
    ("What needs to happen next so that Sami can come home?", "next_step", True),
    ("How are you coping with all of this?", "coping", True),
    ("How do you keep yourself going on the hard days?", "coping", True),
    ("What has helped on the mornings that went better?", "exception", True),
    ("Where would you put things today on a 1-10 scale?", "scaling", True),
    ("What would your kids notice first if things were calmer?", "relationship", True),
    ("What does Ellie like to eat for breakfast?", "other", True),
    ("How old is the baby?", "other", True),
    ("What time does school start?", "other", True),
    ("Where does Omar sleep at night?", "other", True),
    ("Do you have a car?", "other", False),
]


@pytest.mark.parametrize("text,qtype,is_open", QUESTION_CASES, ids=[c[0][:40] for c in QUESTION_CASES])
def test_unseen_question_type(nlp, text, qtype, is_open):
    report = grade("sf_question", text)
    assert len(report.questions) == 1, report.questions
    q = report.questions[0]
    assert (q.type, q.open) == (qtype, is_open), f"{text!r}: got {q.type}, open={q.open}"


# Free-text statements that must stay free of error flags (precision on unseen text).
CLEAN_TEXTS = [
    (
        "harm",
        "On Saturday at 9 p.m., Gloria Banks left Nico (4) and Ava (2) alone in the apartment until 1 a.m.; a neighbor "
        "found Nico crying in the hall.",
    ),
    (
        "danger",
        "The worker and Grandma Bea are worried that when Dale drinks he may shove Kayla (11) into the wall, and Kayla "
        "could break a bone.",
    ),
    (
        "safety_goal",
        "The worker and Aunt June need to see Dad take Kayla to June's house whenever he starts drinking, "
        "every weekend "
        "for the next six months, so that Kayla feels safe.",
    ),
    (
        "sf_question",
        "Who else could help on the nights you work late?\nWhat is one small step you could take by Friday?",
    ),
]


@pytest.mark.parametrize("kind,text", CLEAN_TEXTS, ids=[c[0] for c in CLEAN_TEXTS])
def test_unseen_clean_text_has_no_errors(nlp, kind, text):
    report = grade(kind, text)
    assert [f.text for f in report.findings if f.severity == "error"] == []
    assert report.verdict == "ready", [(c.id, c.present) for c in report.components]
    assert_spans(text, report)
