"""A real browser: sign in as a demo learner, read the opening module and mark it complete (the one kind of module
that is marked), see the demo learner's honest progress; axe-core on the pages."""
import pytest

from course.demo import seed_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(live_app, live_server):
    with live_app.app_context():
        seed_demo()
        from course.demo import demo_password

        password = demo_password()
    return live_server, password


def test_learner_reads_and_completes_a_module(demo_server, page, assert_accessible):
    server, password = demo_server
    page.goto(f"{server.url}/auth/login")
    assert_accessible(page, "sign-in page")
    page.get_by_label("Email").fill("learner2@example.org")  # the demo learner who has not started
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome, Sam Learner").wait_for()  # not started: not welcomed "back"
    assert_accessible(page, "course home")

    page.get_by_role("link", name="Start the course").click()
    assert_accessible(page, "module page")
    # The pre-work counts once its pre-course check is taken, so it has no "Mark complete" button.
    assert page.get_by_role("button", name="Mark complete").count() == 0
    assert page.locator("#module-status").get_by_role("link", name="Take the pre-course key-terms check").count() == 1
    page.get_by_role("link", name="Next: Welcome and Course Map").click()
    page.wait_for_url("**/welcome*")
    page.wait_for_load_state()
    first_title = page.locator("h1").first.inner_text()
    page.get_by_role("button", name="Mark complete and continue").click()
    page.wait_for_load_state()
    page.goto(f"{server.url}/")
    assert page.get_by_text("1 of").first.is_visible()
    item = page.locator(".agenda__item", has_text=first_title).first
    assert "Complete" in item.inner_text()


def test_the_demo_learner_has_honest_progress(demo_server, page):
    server, password = demo_server
    page.goto(f"{server.url}/auth/login")
    page.get_by_label("Email").fill("learner@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome back, Alex Learner").wait_for()
    assert "5 of" in page.locator(".progress-card").inner_text()
    page.goto(f"{server.url}/pilot/certificate")
    requirements = page.locator(".requirements").inner_text()
    assert "Still missing: 5 of 5" in page.locator(".lede").inner_text()
    assert "Your best so far is 50%" in requirements and "Day 2: your trainer has not recorded" in requirements


def test_phone_width_has_no_horizontal_scroll(demo_server, new_context, assert_accessible):
    server, password = demo_server
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{server.url}/auth/login")
    page.get_by_label("Email").fill("learner@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    for path in ("/", "/modules/harm-statements"):
        page.goto(server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    assert_accessible(page, "module page at phone width")
