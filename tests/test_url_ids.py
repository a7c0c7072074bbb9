"""An id in a URL that no database INTEGER column can hold is a 404, never a 500 (SQLite refused ids past 2**63 and
PostgreSQL past 2**31 with an error from the query itself)."""
from __future__ import annotations

import pytest

from course.converters import MAX_ID

HUGE = ["99999999999999999999999", str(2**63), str(MAX_ID + 1)]
LEARNER_URLS = ["/quizzes/attempts/{id}", "/review/mine/{id}", "/exercises/hill-family/mapping/{id}",
                "/exercises/hill-family/write/harm/{id}"]
TRAINER_URLS = ["/cohorts/{id}", "/review/{id}", "/review/sets/{id}/hill-family", "/classroom/sessions/{id}",
                "/classroom/exports/{id}", "/cohorts/{id}/attendance"]


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_are_404_for_a_learner(client, auth, factory, value):
    auth.login(factory.email(factory.user("learner", cohort_id=factory.cohort())))
    for url in LEARNER_URLS:
        assert client.get(url.format(id=value)).status_code == 404, url


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_are_404_for_a_trainer(client, auth, factory, value):
    trainer = factory.user("trainer")
    factory.cohort(trainer_id=trainer)
    auth.login(factory.email(trainer))
    for url in TRAINER_URLS:
        assert client.get(url.format(id=value)).status_code == 404, url


def test_the_largest_id_still_matches_the_route(client, auth, factory):
    auth.login(factory.email(factory.user("learner", cohort_id=factory.cohort())))
    response = client.get(f"/quizzes/attempts/{MAX_ID}")
    assert response.status_code == 404 and "We could not find that page" in response.get_data(as_text=True)
