"""The printed trainer's kit and the visual pages in a real browser: the whole kit as a PDF with the page count
the data predicts and no blank page, and axe-core on a module with diagrams, projector slides and a printed
kit page."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Factory, LiveServer, axe_violations, browser_login, format_violations, make_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def kit_server(tmp_path_factory):
    """The course as shipped, served live, with a trainer, a learner and a class session."""
    app = make_app(tmp_path_factory.mktemp("kit"))
    factory = Factory(app)
    trainer = factory.user("trainer", email="kit.trainer@example.org")
    cohort = factory.cohort(trainer_id=trainer)
    factory.user("learner", email="kit.learner@example.org", cohort_id=cohort)
    with app.app_context():
        from course.classroom.services import start_session
        from course.extensions import db
        from course.kit.services import expected_pages
        from course.models import Cohort, User

        session = start_session(db.session.get(User, trainer), db.session.get(Cohort, cohort), 1, "mapping")
        db.session.commit()
        world = {"screen": session.screen_code, "session": session.id, "pages": expected_pages(), "app": app}
    server = LiveServer(app).start()
    yield server, world
    server.stop()


def _ink(png_pages: list[Path]) -> list[bool]:
    """Return, per rendered page (grey PGM), whether any pixel is darker than mid-grey."""
    found = []
    for path in png_pages:
        data = path.read_bytes()
        parts = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
        found.append(min(parts[4]) < 128)
    return found


def test_whole_kit_prints_to_the_pages_the_data_predicts_and_none_is_blank(kit_server, new_context, tmp_path):
    from pypdf import PdfReader

    server, world = kit_server
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(page, server.url, "kit.trainer@example.org")
    page.goto(f"{server.url}/kit/print")
    page.emulate_media(media="print")
    pdf = tmp_path / "kit.pdf"
    page.pdf(path=str(pdf), format="Letter", prefer_css_page_size=True)
    reader = PdfReader(str(pdf))
    expected = sum(world["pages"].values())
    assert len(reader.pages) == expected, (
        f"the kit printed {len(reader.pages)} pages; the data predicts {expected} {world['pages']}: "
        "a sheet that no longer fits one page shows up here")
    texts = [p.extract_text() or "" for p in reader.pages]
    blank = [i + 1 for i, text in enumerate(texts) if len(text.split()) < 5]
    assert not blank, f"pages with no text: {blank}"
    assert "Trainer’s kit" in texts[0] and "SOP Foundations" not in texts[1][:40]  # no site header on paper
    assert all("Sign out" not in text for text in texts)
    if shutil.which("pdftoppm"):  # and each page carries ink, seen as an image
        subprocess.run(["pdftoppm", "-gray", "-r", "20", str(pdf), str(tmp_path / "page")], check=True)
        images = sorted(tmp_path.glob("page*.pgm"))
        assert len(images) == expected and all(_ink(images)), "a printed page has no ink"


def test_module_with_diagrams_has_no_wcag_violations(kit_server, new_context):
    server, _ = kit_server
    for width in (1280, 360):
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        browser_login(page, server.url, "kit.learner@example.org")
        page.goto(f"{server.url}/modules/mapping")
        assert page.locator("figure.diagram svg[role=img]").count() >= 1
        violations = axe_violations(page)
        assert not violations, f"/modules/mapping at {width}px:\n{format_violations(violations)}"
        # On a phone the drawing keeps a readable size and scrolls inside its own region.
        if width == 360:
            box = page.locator("figure.diagram svg").first.bounding_box()
            assert box["width"] >= 500


def test_projector_slides_with_and_without_a_diagram_have_no_wcag_violations(kit_server, new_context):
    server, world = kit_server
    app = world["app"]
    with app.app_context():
        from course.classroom.slides import deck
        from course.curriculum.services import get_module

        layouts = [s.layout for s in deck(get_module("mapping"))]
    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(f"{server.url}/classroom/screen/{world['screen']}")
    checked = set()
    for layout in ("title", "split", "text", "diagram"):
        if layout not in layouts:
            continue
        _goto_slide(app, world["session"], layouts.index(layout))
        page.locator(f"#slide .slide-layout--{layout}").wait_for(timeout=5000)
        violations = axe_violations(page)
        assert not violations, f"projector slide ({layout}):\n{format_violations(violations)}"
        checked.add(layout)
        if layout in ("split", "diagram"):
            art = page.locator("#slide .slide-layout__art svg").first.bounding_box()
            assert art["width"] >= (1000 if layout == "split" else 1200), f"the diagram is small on a {layout} slide"
    assert {"title", "split"} <= checked


def _goto_slide(app, session_id: int, index: int) -> None:
    """Move the session to a slide, as the console would."""
    from course.classroom.services import bump, set_slide
    from course.extensions import db
    from course.models.classroom import ClassSession

    with app.app_context():
        session = db.session.get(ClassSession, session_id)
        set_slide(session, index)
        bump(session, "version")
        db.session.commit()


@pytest.mark.parametrize("url", ["/kit/templates/safety-house", "/kit/fact-cards/hill-family", "/kit/print"])
def test_printed_kit_pages_have_no_wcag_violations(kit_server, new_context, url):
    server, _ = kit_server
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(page, server.url, "kit.trainer@example.org")
    page.goto(server.url + url)
    page.emulate_media(media="print")
    violations = axe_violations(page)
    assert not violations, f"{url} (print):\n{format_violations(violations)}"
