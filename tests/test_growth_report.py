"""The pilot report's growth evidence: first check, first submitted and accepted version per kind, from versions
graded in the test by the real grader, matching a hand calculation on the page and in its CSV, and hidden under the
report's anonymity rule in both."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from course.database import utcnow
from course.exercises.versions import summarise
from course.extensions import db
from course.grading import grade
from course.models import Work, WorkStatus, WorkVersion
from course.models.review import Review
from course.pilot.report import HIDDEN_NOTE
from tests.test_habits import ABUSED, GRABBED, RUIZ_1, RUIZ_2

RUIZ_READY = "On Friday night Ana left Mia (4) and Leo (2) alone until 2 a.m.; Leo cried in a wet diaper for hours."


@pytest.fixture(scope="session")
def nlp():
    """The grader's spaCy pipeline, loaded once per test session."""
    from grader import load_pipeline

    return load_pipeline()


def _accepted(user_id: int, trainer_id: int, vignette: str, texts: list[str], days: int,
              sent: tuple[int, ...] = ()) -> None:
    """Keep each text as a checked version graded now, and accept the last one `days` after the first.

    The last version is the one submitted and accepted; `sent` numbers earlier versions that were submitted too
    (and sent back for revision)."""
    decided = utcnow()
    work = Work(user_id=user_id, vignette_id=vignette, kind="harm", position=1, status=WorkStatus.ACCEPTED.value,
                draft_text=texts[-1])
    db.session.add(work)
    db.session.flush()
    for number, text in enumerate(texts, start=1):
        report = grade("harm", text, vignette=vignette)
        db.session.add(WorkVersion(work_id=work.id, number=number, text=text,
                                   source="submit" if number == len(texts) or number in sent else "check",
                                   summary=summarise(report),
                                   verdict=report["verdict"], created_at=decided - timedelta(days=days)))
    db.session.flush()
    db.session.add(Review(work_id=work.id, version_id=work.versions[-1].id, trainer_id=trainer_id, decision="accept",
                          decided_at=decided))


def _section(client, factory, viewer, **args) -> str:
    client.post("/auth/login", data={"email": factory.email(viewer), "password": "correct horse battery"})
    response = client.get("/pilot/report", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True).split('id="growth-title"')[1].split("</section>")[0]


def _csv(client, **args) -> dict[str, list[str]]:
    """Return the growth CSV (the signed-in viewer's) as kind -> row."""
    response = client.get("/pilot/report/growth.csv", query_string=args)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["kind", "accepted", "parts_asked"]
    return {row[0]: row for row in rows[1:]}


@pytest.mark.parametrize("learners, shown", [(4, False), (5, True)])
def test_growth_matches_the_hand_calculation_and_needs_five(app, client, factory, nlp, learners, shown):
    trainer = factory.user("trainer")
    cohort = factory.cohort("Pilot Growth", trainer_id=trainer)
    users = [factory.user("learner", cohort_id=cohort) for _ in range(learners)]
    with app.app_context():
        for index, user_id in enumerate(users):
            if index == 4:  # three versions: a label and a missing act, the same again, then ready
                _accepted(user_id, trainer, "ruiz-family", [RUIZ_1, RUIZ_2, RUIZ_READY], days=5)
            elif index == 3:  # the label was sent to the trainer, sent back, and then rewritten
                _accepted(user_id, trainer, "hill-family", [ABUSED, ABUSED, GRABBED], days=4, sent=(2,))
            else:
                _accepted(user_id, trainer, "hill-family", [ABUSED, GRABBED], days=index + 1)
        db.session.commit()
    section = _section(client, factory, trainer)
    row = section.split("Harm Statements</th>")[1].split("</tr>")[0]
    exported = _csv(client)["Harm Statements"]
    if not shown:
        assert HIDDEN_NOTE in row and "fewer than 5" in row
        assert exported[1] == "fewer than 5" and exported[-1] == HIDDEN_NOTE and not any(exported[2:-1])
        assert 'id="chart-growth"' not in section  # nothing to draw: no kind is shown
        return
    chart = section.split('id="chart-growth"')[1].split("</svg>")[0]
    # the table's 0 -> 4 -> 5, drawn, and said in the text alternative
    assert "0% ready (0 of 5)" in chart and "80% ready (4 of 5)" in chart and "100% ready (5 of 5)" in chart
    assert "Harm Statements: 0% at the first check, 80% when first sent, 100% when accepted" in chart
    cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
    # parts: first (4+4+4+4+3)/5 = 3.8, first sent 4.0 (the label sent back has all four), accepted 4.0 of 4;
    # blocking: first 1.0, first sent (0+0+0+1+0)/5 = 0.2, accepted 0.0; ready 0 -> 4 -> 5;
    # versions (2*3+3+3)/5 = 2.4; days to acceptance 1, 2, 3, 4, 5: median 3.0
    assert cells == ["5", "3.8 → 4.0 → 4.0 of 4", "1.0 → 0.2 → 0.0", "0 → 4 → 5", "2.4", "3.0"]
    assert exported[1:14] == ["5", "4", "3.8", "4.0", "4.0", "1.0", "0.2", "0.0", "0", "4", "5", "2.4", "3.0"]
    assert exported[-1] == ""


def test_a_cohort_whose_difference_from_all_is_under_five_is_hidden(app, client, factory, nlp):
    admin, trainer = factory.user("admin"), factory.user("trainer")
    big, small = factory.cohort("Pilot Big", trainer_id=trainer), factory.cohort("Pilot One", trainer_id=trainer)
    users = [factory.user("learner", cohort_id=big) for _ in range(5)] + [factory.user("learner", cohort_id=small)]
    with app.app_context():
        for user_id in users:
            _accepted(user_id, trainer, "hill-family", [ABUSED, GRABBED], days=1)
        db.session.commit()
    assert "<td class=\"num\">6</td>" in _section(client, factory, admin)
    assert HIDDEN_NOTE in _section(client, factory, admin, cohort=big)  # all (6) minus big (5) is one person
    assert HIDDEN_NOTE in _section(client, factory, admin, cohort=small)
    assert _csv(client)["Harm Statements"][1:3] == ["6", "4"]
    for cohort, count in ((big, "5"), (small, "fewer than 5")):  # the CSV hides what the page hides
        row = _csv(client, cohort=cohort)["Harm Statements"]
        assert row[1] == count and row[-1] == HIDDEN_NOTE and not any(row[2:-1])


def test_the_report_links_the_growth_csv(app, client, factory):
    trainer = factory.user("trainer")
    factory.cohort("Pilot Links", trainer_id=trainer)
    client.post("/auth/login", data={"email": factory.email(trainer), "password": "correct horse battery"})
    page = client.get("/pilot/report").get_data(as_text=True)
    assert 'href="/pilot/report/growth.csv"' in page and 'href="/pilot/report/practice.csv"' in page
    assert client.get("/pilot/report/growth.csv").status_code == 200
