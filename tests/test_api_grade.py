"""POST /api/v1/grade: reports for signed-in users, clear 4xx errors for bad requests."""
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def signed_in(client, auth, factory):
    auth.login(factory.email(factory.user()))
    return client


def test_anonymous_gets_401(client):
    response = client.post("/api/v1/grade", json={"kind": "harm", "text": "Marcus hit Jayden."})
    assert response.status_code == 401
    assert response.get_json()["error"] == "Sign in to use the grader."


def test_report_for_signed_in_user(signed_in):
    text = "Marcus neglected Jayden."
    response = signed_in.post("/api/v1/grade", json={"kind": "harm", "text": text, "vignette": "hill-family"})
    assert response.status_code == 200
    report = response.get_json()
    assert report["kind"] == "harm" and report["verdict"] == "revise"
    assert {c["id"] for c in report["components"]} == {"caregiver_action", "child", "impact", "when"}
    label = next(f for f in report["findings"] if f["category"] == "vague_label")
    assert text[label["start"]:label["end"]] == label["text"] == "neglected"
    assert report["grader_version"]


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"kind": "poem", "text": "x"}, "kind", "'kind' must be one of"),
        ({"kind": "harm", "text": "   "}, "text", "'text' is empty"),
        ({"kind": "harm"}, "text", "'text' is empty"),
        ({"kind": "harm", "text": 42}, "text", "'text' is empty"),
        ({"kind": "harm", "text": "x" * 5001}, "text", "the limit is 5,000"),
        ({"kind": "harm", "text": "Marcus hit Jayden.", "vignette": "no-such-family"}, "vignette",
         "No practice case has the id 'no-such-family'"),
        (["not", "an", "object"], "body", "JSON object"),
        ({"kind": "child_questions", "text": "What worries you?", "child": 7}, "child", "'child' must be the name"),
        ({"kind": "child_questions", "text": "What worries you?", "vignette": "nguyen-family",
          "child": "Linh Nguyen"}, "child", "not a child of this family"),
    ],
)
def test_bad_requests_get_400_with_a_reason(signed_in, payload, field, message):
    response = signed_in.post("/api/v1/grade", json=payload)
    assert response.status_code == 400, response.data
    body = response.get_json()
    assert body["field"] == field
    assert message in body["error"]


def test_hints_name_the_child_the_questions_are_for(signed_in, nlp):
    """Told the plan is for An, the hints name An, not her older brother Bao (the first child of the case)."""
    response = signed_in.post("/api/v1/grade", json={"kind": "child_questions", "text": "Why do you hide?",
                                                     "vignette": "nguyen-family", "child": "An Nguyen", "child_age": 5})
    assert response.status_code == 200, response.data
    hints = " ".join(c["hint"] for c in response.get_json()["components"])
    assert " An " in hints and "Bao" not in hints, hints


def test_malformed_json(signed_in):
    response = signed_in.post("/api/v1/grade", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "Send a JSON object" in response.get_json()["error"]


def test_browser_calls_need_the_csrf_header(csrf_app, factory):
    import re

    from tests.conftest import PASSWORD, Factory

    factory = Factory(csrf_app)
    email = factory.email(factory.user())
    client = csrf_app.test_client()
    page = client.get("/auth/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    refused = client.post("/api/v1/grade", json={"kind": "harm", "text": "Marcus hit Jayden."})
    assert refused.status_code == 400
    home = client.get("/").data.decode()
    header_token = re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)
    accepted = client.post(
        "/api/v1/grade", json={"kind": "harm", "text": "Marcus hit Jayden."}, headers={"X-CSRFToken": header_token}
    )
    assert accepted.status_code == 200
