"""The patterns of issue 13, each as a table of new examples (new names, no roster unless given)."""

from __future__ import annotations

import pytest

from grader import grade
from grader.questions import about_worker, split_questions
from tests.grader_fixtures import assert_spans

# (kind, text, component, expected presence, keyword arguments)
CASES = [
    # roles from the words
    (
        "harm",
        "On 5/2 Kezia (19) left her son Bram (2) alone in the tub and he swallowed water and coughed for an hour.",
        "caregiver_action",
        True,
        {},
    ),
    ("harm", "Kezia (19) and Dorian (22) argued loudly on Friday.", "child", False, {}),
    ("harm", "Bram's older sister Lotte (20) slapped Bram (6) on Monday and he cried.", "caregiver_action", False, {}),
    (
        "harm",
        "on monday dad (ravi) locked priya (7) in the shed for three hours and she wet herself",
        "child",
        True,
        {},
    ),
    (
        "harm",
        "on monday dad (ravi) locked priya (7) in the shed for three hours and she wet herself",
        "impact",
        True,
        {},
    ),
    (
        "harm",
        "On Tuesday Mom left her 3-year-old in the car at the store for an hour and he was sweating and crying.",
        "child",
        True,
        {},
    ),
    ("harm", "Last night Dad threw a bottle at Oskar and cut his forehead.", "child", True, {}),
    ("harm", "Ms. Ferro called Mr. Dunn on Monday about the fence.", "child", False, {}),
    (
        "harm",
        "over the past 3 weeks hector didnt refill ana sofias insulin twice and she ended up in the ER on 11/2",
        "child",
        True,
        {},
    ),
    (
        "danger",
        "we are worried that when mom uses meth at night she may not wake up when baby Isla (6 months) cries, "
        "and Isla could go without feeds for hours and get dehydrated",
        "future_impact",
        True,
        {},
    ),
    # acts and omissions: a caregiver's act on the child, or what the caregiver did not do
    (
        "harm",
        "Mom did not take Soren (8 months) to any of his shots from March to June and he caught measles.",
        "caregiver_action",
        True,
        {},
    ),
    (
        "harm",
        "Dad smoked meth in the garage on Sunday while Juno (2) was alone on the balcony and she fell and "
        "cut her chin.",
        "caregiver_action",
        True,
        {},
    ),
    ("harm", "On Friday Dad punched Mom in the face while Kit (6) was at school.", "caregiver_action", False, {}),
    (
        "harm",
        "On Friday Dad punched Mom in the face while Kit (6) watched from the stairs and Kit hid in his room.",
        "caregiver_action",
        True,
        {},
    ),
    ("harm", "On Saturday a neighbor kicked Ada (5) and she had a bruise on her leg.", "caregiver_action", False, {}),
    ("harm", "On Saturday Dad did not hit Ada (5).", "caregiver_action", False, {}),
    (
        "danger",
        "The worker is worried that when Dad drinks he may leave Birdie (5) at the bus stop alone after "
        "dark and she could be hit by a car.",
        "caregiver_behavior",
        True,
        {},
    ),
    (
        "danger",
        "We are worried that Mom may not give Ezra (4) his seizure medicine and Ezra could have a long "
        "seizure and brain damage.",
        "caregiver_behavior",
        True,
        {},
    ),
    # impact from the parse; negated effects, medicines and an adult's shouting are no impact
    ("harm", "On Sunday Dad shoved Wren (8) into the door, and she had no marks.", "impact", False, {}),
    ("harm", "On Sunday Dad shoved Wren (8) into the door and was not hurt himself.", "impact", False, {}),
    ("harm", "On Sunday Mom forgot Wren's asthma inhaler at home.", "impact", False, {}),
    ("harm", "On Sunday Dad screamed at Mom in the kitchen while Wren (8) slept.", "impact", False, {}),
    ("harm", "On Sunday Dad shoved Wren (8) into the door and she was too scared to eat dinner.", "impact", True, {}),
    ("harm", "On Sunday Mom left Wren (8) alone all day and she went hungry.", "impact", True, {}),
    # a danger's impact must be serious enough
    (
        "danger",
        "We are worried that when Mom drinks she may forget to pick up Juno (6) and Juno could be sad.",
        "future_impact",
        False,
        {},
    ),
    (
        "danger",
        "We are worried that when Mom drinks she may forget to pick up Juno (6) and Juno could walk home "
        "alone along the highway and be hit by a car.",
        "future_impact",
        True,
        {},
    ),
    (
        "danger",
        "We are worried that when Mom drinks she may scream at Juno (6) and Juno could keep being afraid in "
        "her own home.",
        "future_impact",
        True,
        {},
    ),
    # a child left to wait alone is the effect; an adult leaving the child alone is the behaviour
    (
        "danger",
        "The teacher is worried that when Ravi Joshi works late he may leave Tali (4) at the gym after closing, and "
        "she could end up waiting outside alone in the dark.",
        "future_impact",
        True,
        {},
    ),
    (
        "danger",
        "The worker is worried that when Mom drinks she may leave Noor (2) alone all night.",
        "caregiver_behavior",
        True,
        {},
    ),
    # who holds the worry, when the parser loses the subject; who needs to see, as a heading
    (
        "danger",
        "Because Mom uses meth while she is alone with Noor (3), her aunt Rita and the social worker are worried. On "
        "days Mom uses, she may leave Noor alone and Noor could fall down the stairs.",
        "worried_who",
        True,
        {},
    ),
    (
        "safety_goal",
        "WHO NEEDS TO SEE: me (social worker) + Uncle Abe\nWHAT: Dad gives Noor (3) to Abe before he opens a beer, "
        "every Friday for six months, so that Noor feels safe.",
        "who_needs_to_see",
        True,
        {},
    ),
    # a described time of day is a recurring situation; a date is not
    (
        "danger",
        "The worker is worried that on cold nights Dad may light the barbecue grill inside the trailer where Noor (4) "
        "sleeps, and Noor could be poisoned by the fumes and die.",
        "context",
        True,
        {},
    ),
    (
        "danger",
        "The worker is worried that Dad may grab Noor (4) by the arm again on the same day and Noor could "
        "break her arm.",
        "context",
        False,
        {},
    ),
    # wanting something is not needing to see: the one who wants it can be the "she" who acts
    (
        "danger",
        "The worker and Aunt Jo are worried about Noor (4) and Sam (2). On nights when Dad is away and Mom wants "
        "pills, she may go out and leave them alone. Noor could wander outside and be hit by a car.",
        "caregiver_behavior",
        True,
        {},
    ),
    # relevance: a goal's action answers the danger; services and gifts do not
    (
        "safety_goal",
        "The worker needs to see Dad buy Juno a new bike every month for six months so Juno is happy.",
        "caregiver_action",
        False,
        {},
    ),
    (
        "safety_goal",
        "The worker needs to see Dad walk Birdie (5) to the bus stop and wait with her until the bus comes, "
        "every school day for six months, so Birdie gets to school safely.",
        "caregiver_action",
        True,
        {"danger": "Dad may leave Birdie (5) at the bus stop alone after dark and she could be hit by a car."},
    ),
    (
        "safety_goal",
        "The worker needs to see Dad cook dinner every night for six months so Birdie eats well.",
        "caregiver_action",
        False,
        {"danger": "Dad may leave Birdie (5) at the bus stop alone after dark and she could be hit by a car."},
    ),
    (
        "safety_goal",
        "The nurse needs to see Mom lock the medicine in the high cabinet every night for three months so "
        "that Ezra (2) cannot swallow pills.",
        "caregiver_action",
        True,
        {"danger": "Mom may leave her pills on the table within reach and Ezra could swallow them."},
    ),
    # an action on the very thing the danger names answers it; a cue never spans a comma
    (
        "safety_goal",
        "The worker needs to see Dad take down the old trampoline in the yard this week and keep Noor (4) off "
        "the neighbour's one, every day for three months, so that Noor plays safely.",
        "caregiver_action",
        True,
        {"danger": "Dad may leave Noor (4) alone on the old trampoline, with its torn net, and she could fall off "
         "and break her arm."},
    ),
    (
        "safety_goal",
        "The worker needs to see Dad live apart from Mom and Noor (4) and see Noor at his sister's house, every "
        "week for six months, so that Noor feels safe at home.",
        "caregiver_action",
        True,
        {"danger": "When Dad is angry he may shove Mom again with Noor there, and Noor could hit her head."},
    ),
    (
        "safety_goal",
        "The worker needs to see Dad buy Noor (4) a new coat every month for six months so that Noor is happy.",
        "caregiver_action",
        False,
        {"danger": "Dad may leave the camping stove burning in the closed tent while Noor sleeps, and the fumes "
         "could make her very sick."},
    ),
    # concrete actions on common verbs count; vague ones do not
    (
        "safety_goal",
        "The worker and Aunt June need to see Dad make sure Kayla (11) is at June's house before he opens his first "
        "beer, every weekend for the next six months, so that Kayla feels safe.",
        "caregiver_action",
        True,
        {},
    ),
    (
        "safety_goal",
        "The worker needs to see Linh check that Bao and An are up, fed and on the bus every school morning, even on "
        "her worst days, for the next four months, so the kids get to school.",
        "caregiver_action",
        True,
        {},
    ),
    (
        "safety_goal",
        "Sofia and Sam need to see Ana ensure the children are safe whenever she is using, for six months, so the kids "
        "are okay.",
        "caregiver_action",
        False,
        {},
    ),
    (
        "safety_goal",
        "The worker needs to see Mom practice her coping skills whenever she feels stressed, for six months, so that "
        "the kids feel safe.",
        "caregiver_action",
        False,
        {},
    ),
    # typos in cue words
    (
        "danger",
        "The worker is woried that when Dad drinks he may hit Kit (6) and Kit could brake his arm.",
        "worried_who",
        True,
        {},
    ),
    ("harm", "On saterday Dad hit Kit (6) and Kit had a brused arm.", "when", True, {}),
]


@pytest.mark.parametrize(
    "kind,text,component,expected,extra", CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)]
)
def test_pattern(nlp, kind, text, component, expected, extra):
    report = grade(kind, text, **extra)
    comp = report.component(component)
    assert comp.present is expected, f"{kind}.{component} should be {expected} for {text!r}; evidence {comp.evidence}"
    assert_spans(text, report)


def test_slight_danger_impact_says_why(nlp):
    report = grade(
        "danger", "We are worried that when Mom drinks she may forget to pick up Juno (6) and Juno could be sad."
    )
    hint = report.component("future_impact").hint
    assert "“sad”" in hint and "Juno" in hint


def test_goal_that_misses_the_danger_says_which(nlp):
    report = grade(
        "safety_goal",
        "The worker needs to see Dad cook dinner every night for six months so Birdie eats well.",
        danger="Dad may leave Birdie (5) at the bus stop alone after dark.",
    )
    assert "supervision" in report.component("caregiver_action").hint


@pytest.mark.parametrize(
    "text,finding",
    [
        ("The family cannot afford rent and may lose their apartment, so the children could become homeless.", True),
        ("We are worried that when Dad loses money at cards he may punch Kit (6) and Kit could break a bone.", False),
    ],
)
def test_poverty_alone_is_a_need_not_a_danger(nlp, text, finding):
    found = [f for f in grade("danger", text).findings if f.category == "not_danger"]
    assert bool(found) is finding
    if finding:
        assert "need" in found[0].message and "not a danger" in found[0].message


# (kind, text, category expected flagged or not, the word)
FLAG_CASES = [
    ("harm", "Mom did not provide adequate supervision for Kit (6) on Friday.", "vague_label", "adequate"),
    ("danger", "We worry that when Dad is using he may leave Kit (6) alone.", "vague_label", "using"),
    ("harm", "On Friday Dad came home high and yelled at Kit (6).", "vague_label", "high"),
    ("harm", "Kit (6) is dysregulated after visits with Dad.", "jargon", "dysregulated"),
    ("harm", "Mom is lazy.", "judgmental", "lazy"),
]
NOT_FLAGGED = [
    ("harm", "On Friday Dad called Kit (6) lazy and worthless in front of his friends and Kit cried.", "judgmental"),
    ("harm", "Kit (6) told his teacher on Monday that he feels worthless since Dad hit him.", "judgmental"),
    ("harm", 'On Monday Dad told Kit (6), "You are lazy," and pushed him off the couch.', "judgmental"),
    ("safety_goal", "Dad keeps his pills in a high cabinet every night.", "vague_label"),
    ("harm", "On Friday Dad used a belt on Kit (6) and left welts.", "vague_label"),
]


@pytest.mark.parametrize("kind,text,category,word", FLAG_CASES, ids=[c[3] for c in FLAG_CASES])
def test_flagged(nlp, kind, text, category, word):
    assert [f.text for f in grade(kind, text).findings if f.category == category] == [word]


@pytest.mark.parametrize("kind,text,category", NOT_FLAGGED, ids=range(len(NOT_FLAGGED)))
def test_not_flagged(nlp, kind, text, category):
    assert not [f.text for f in grade(kind, text).findings if f.category == category]


@pytest.mark.parametrize(
    "text,listed",
    [
        ("Dad grabbed Kit Saturday bruise cried hospital caregiver child impact when", True),
        ("CPS received allegations that Dad hit Emre (8) last Thursday.", False),
        ("On Saturday Dad grabbed Kit (6) by the arm and Kit cried.", False),
        ("Goal: need to see, worker, grandma, sober adult, every night, even when, so that, Kit, feels safe.", True),
        (
            "Jordan, Ms. Patel, Ngozi, Daniel, Grace's aunt, and the nurse need to see Grace keep the monitor on "
            "every night, even when tired, for three months, so that Amara is safe.",
            False,
        ),
    ],
)
def test_keyword_lists_are_not_statements(nlp, text, listed):
    assert any(f.category == "word_list" for f in grade("harm", text).findings) is listed


# Negation is scoped by the parse: an example table for the scope.
NEGATION = [
    ("Jayden had no marks.", "marks", True),
    ("Dad did not hit Kit, and Kit cried all night.", "cried", False),
    ("Dad did not feed Ava on Sunday.", "feed", True),
    ("Mom never called the doctor while Leo had a fever.", "fever", False),
    ("The baby was unharmed.", "unharmed", True),
    ("She left without her coat and Leo got sick.", "sick", False),
]


@pytest.mark.parametrize("text,word,negated", NEGATION, ids=[c[0][:30] for c in NEGATION])
def test_negation_scope(nlp, text, word, negated):
    from grader.analysis import Analysis
    from grader.lexicon import default_lexicons
    from grader.people import NO_ROSTER

    doc = nlp(text)
    a = Analysis(doc, NO_ROSTER, default_lexicons(), text)
    tok = next(t for t in doc if t.text == word)
    assert a.negated(tok) is negated


@pytest.mark.parametrize(
    "text,worker",
    [
        ("What can I do to make my home visits go better?", True),
        ("What training would help me feel more confident?", True),
        ("Marcus, tell me about a weekend when things were calm.", False),
        ("What would it take for me to trust you?", False),
        ("What would your sister say she has seen you do?", False),
        ("If I came back in a year and things were going great, what would I see?", False),
    ],
)
def test_questions_about_the_worker(text, worker):
    assert about_worker(text) is worker


@pytest.mark.parametrize(
    "text,count",
    [
        ("Tell Devon that drinking around Skylar is not OK.\nExplain to Keri that she has to protect Skylar.", 0),
        ("Tell me about a time things were calmer\nDescribe what a good morning looks like", 2),
        ("exception scaling coping miracle next step 0 to 10 tell me about a time what else", 0),
        ("Explain to me what helped that night", 1),
    ],
)
def test_lines_that_ask_the_listener(text, count):
    assert len(split_questions(text)) == count


@pytest.mark.parametrize(
    "text,trivial",
    [
        ("We worry that when Dad works late, he may forget her lunch, and Sofia (7) might be a little hungry.", True),
        ("We are worried that when Mom sleeps all day, An (5) might be slightly late to school.", True),
        ("We are worried that when Dad drinks, he may leave Leo (2) alone, and Leo could drown in the bath.", False),
    ],
)
def test_diminished_effects_are_slight(nlp, text, trivial):
    component = next(c for c in grade("danger", text).components if c.id == "future_impact")
    assert component.present is not trivial


@pytest.mark.parametrize(
    "kind,text,component",
    [
        ("danger", "We worry that when Dad shoves Mom, Luna (1) could fall from her mother's arms.", "future_impact"),
        ("harm", "On Monday Dad hit Kit (6) with a belt and Kit had a welt from her father's belt.", "impact"),
    ],
)
def test_the_source_of_an_effect_is_not_its_owner(nlp, kind, text, component):
    assert next(c for c in grade(kind, text).components if c.id == component).present


@pytest.mark.parametrize(
    "text,present",
    [
        ("On Monday, Nell (5) was left at the bus stop by her dad for an hour and cried.", True),
        ("On Monday, Kit (6) was pushed at the park by a stranger and cried.", False),
    ],
)
def test_a_by_agent_hung_on_a_noun_is_still_the_actor(nlp, text, present):
    assert next(c for c in grade("harm", text).components if c.id == "caregiver_action").present is present
