"""Mapping: scoring, the plain select form on its own, results with explanations, and tries kept."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from course.exercises.services import score_mapping
from course.extensions import db
from course.models import MappingAttempt
from course.vignettes import get_vignette


@pytest.fixture
def hill(app):
    with app.app_context():
        return get_vignette("hill-family")


@pytest.fixture
def learner(client, auth, factory):
    user_id = factory.user("learner")
    auth.login(factory.email(user_id))
    return user_id


def _answers(vignette, wrong: int = 0) -> dict:
    """Return the right column for every fact, with the first `wrong` facts moved to a wrong column."""
    placements = {f.id: f.category for f in vignette.mapping_facts}
    for fact in vignette.mapping_facts[:wrong]:
        placements[fact.id] = "grey" if fact.category != "grey" else "harm"
    return placements


def test_score_all_right(hill):
    results, correct, total = score_mapping(hill, _answers(hill))
    assert correct == total == len(hill.mapping_facts)
    assert all(r.correct for r in results)


def test_score_counts_wrong_and_unplaced(hill):
    placements = _answers(hill, wrong=3)
    del placements[hill.mapping_facts[-1].id]
    placements[hill.mapping_facts[-2].id] = "not-a-column"
    results, correct, total = score_mapping(hill, placements)
    assert total == len(hill.mapping_facts)
    assert correct == total - 5
    assert results[-1].chosen is None and not results[-1].correct
    assert results[-2].chosen is None


def _form(vignette, placements, scale="4", reason="Jayden was hurt, but Tanya protected him three times."):
    data = {f"fact_{fid}": column for fid, column in placements.items()}
    data.update(scale=scale, scale_reason=reason)
    return data


def test_select_form_works_without_javascript(client, learner, hill, app):
    page = client.get("/exercises/hill-family/mapping").get_data(as_text=True)
    for index, fact in enumerate(hill.mapping_facts, start=1):
        assert f'<label for="fact_{fact.id}" class="fact__label">Column for fact {index}</label>' in page
        assert f'name="fact_{fact.id}"' in page
    assert page.count('type="radio" name="scale"') == 11
    response = client.post("/exercises/hill-family/mapping", data=_form(hill, _answers(hill, wrong=2)))
    assert response.status_code == 302
    result_url = response.headers["Location"]
    assert re.search(r"/exercises/hill-family/mapping/\d+$", result_url)
    with app.app_context():
        attempt = db.session.scalar(select(MappingAttempt).where(MappingAttempt.user_id == learner))
        assert ((attempt.correct, attempt.total, attempt.scale)
                == (len(hill.mapping_facts) - 2, len(hill.mapping_facts), 4))
        assert attempt.scale_reason.startswith("Jayden was hurt")
    result = client.get(result_url).get_data(as_text=True)
    assert f"{len(hill.mapping_facts) - 2} of {len(hill.mapping_facts)}" in result
    assert result.count("Not quite:") == 2
    assert result.count("<strong>Right:</strong>") == len(hill.mapping_facts) - 2
    assert hill.mapping_facts[0].explanation[:40] in result
    assert hill.scale_guidance[:40] in result
    assert "Back to my map" in result


def test_missing_choices_are_refused_with_errors_tied_to_each_field(client, learner, hill):
    placements = _answers(hill)
    del placements[hill.mapping_facts[0].id]
    response = client.post("/exercises/hill-family/mapping", data=_form(hill, placements, scale="", reason=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    fid = hill.mapping_facts[0].id
    assert f'id="fact_{fid}-error"' in page
    assert f'aria-describedby="fact_{fid}-text fact_{fid}-error"' in page
    assert "1 fact still needs a column" in page
    assert 'id="scale-error"' in page and 'id="scale_reason-error"' in page


def test_scale_must_be_0_to_10(client, learner, hill):
    response = client.post("/exercises/hill-family/mapping", data=_form(hill, _answers(hill), scale="11"))
    assert response.status_code == 422
    assert "Choose a number from 0 to 10 on the safety scale." in response.get_data(as_text=True)


def test_every_try_is_kept_and_listed(client, learner, hill, app):
    client.post("/exercises/hill-family/mapping", data=_form(hill, _answers(hill, wrong=4)))
    # the second check is built on the saved board (revision 1), as the page sends it
    client.post("/exercises/hill-family/mapping", data={**_form(hill, _answers(hill)), "revision": "1"})
    with app.app_context():
        scores = [a.correct for a in db.session.scalars(select(MappingAttempt).order_by(MappingAttempt.id))]
    total = len(hill.mapping_facts)
    assert scores == [total - 4, total]
    index = client.get("/exercises/").get_data(as_text=True)
    assert f"best {total} of {total} (2 tries)" in index


def test_someone_elses_attempt_is_404(client, auth, factory, hill, app):
    first = factory.user("learner")
    auth.login(factory.email(first))
    url = client.post("/exercises/hill-family/mapping", data=_form(hill, _answers(hill))).headers["Location"]
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login(factory.email(factory.user("learner")))
    assert client.get(url).status_code == 404
    assert client.get(url.replace("hill-family", "ruiz-family")).status_code == 404


def test_unknown_vignette_is_404(client, learner):
    assert client.get("/exercises/no-such-family/mapping").status_code == 404
