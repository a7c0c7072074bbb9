"""Diagrams: every shipped SVG is accessible and self-contained, the checker catches each fault, and a
`[[diagram: NAME]]` line becomes a figure after sanitising."""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from course.content_check import slide_problems
from course.curriculum.diagrams import check_svg, diagram_set, expand_diagrams, get_diagram
from course.curriculum.render import render_markdown
from tests.conftest import AuthActions, Factory, make_app

REPO = Path(__file__).resolve().parent.parent
DIAGRAMS = REPO / "content" / "diagrams"
EXPECTED = ("mapping-framework", "safety-scale", "three-houses", "safety-house", "circles-of-safety", "icpm-sop-map",
            "harm-danger-goal-timeline")
SVG_NS = "{http://www.w3.org/2000/svg}"

GOOD = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" role="img" aria-labelledby="t d">
<title id="t">Harm and danger</title>
<desc id="d">Harm sits on the left as the past; danger sits on the right as the future if nothing changes,
and the safety goal answers the danger with protective action shown over time.</desc>
<defs><pattern id="p" width="4" height="4"><line x1="0" y1="0" x2="4" y2="4" stroke="currentColor"/></pattern></defs>
<rect x="0" y="0" width="50" height="50" fill="url(#p)"/>
<text x="10" y="20" fill="currentColor">Harm</text>
</svg>
"""


def test_every_diagram_the_course_names_is_shipped_and_valid():
    found = diagram_set(DIAGRAMS)
    assert not found.problems, "\n".join(map(str, found.problems))
    assert set(EXPECTED) <= set(found.diagrams)


@pytest.mark.parametrize("name", EXPECTED)
def test_shipped_diagram_reads_on_any_theme_and_prints_in_black_and_white(name):
    root = ET.parse(DIAGRAMS / f"{name}.svg").getroot()
    title, desc = root.find(f"{SVG_NS}title"), root.find(f"{SVG_NS}desc")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert len(desc.text.split()) >= 40, f"{name}: the description should say what the diagram says"
    colours = set()
    for element in root.iter():
        for attr in ("fill", "stroke"):
            value = element.get(attr)
            if value and value not in ("none", "currentColor") and not value.startswith("url(#"):
                colours.add((element.tag.split("}")[1], attr, value, element.get("class")))
    # The only fixed colour allowed is the white "paper" behind labels, which the page CSS re-colours per theme.
    assert all(c[2] == "#fff" and c[3] == "dg-paper" for c in colours), f"{name}: fixed colours {colours}"
    texts = [t for t in root.iter(f"{SVG_NS}text") if "".join(t.itertext()).strip()]
    assert len(texts) >= 5
    assert all(float(t.get("font-size", 0)) >= 17 for t in texts), f"{name}: text smaller than 17 units"


@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace(' role="img"', ""), 'role="img"'),
    (lambda s: s.replace('<title id="t">Harm and danger</title>\n', ""), "<title>"),
    (lambda s: re.sub(r"<desc id=\"d\">.*?</desc>", '<desc id="d">A diagram.</desc>', s, flags=re.S),
     "what the diagram shows"),
    (lambda s: s.replace('aria-labelledby="t d"', 'aria-labelledby="t"'), "aria-labelledby"),
    (lambda s: s.replace("<text ", '<text style="fill:red" '), "style attribute"),
    (lambda s: s.replace("<text ", '<text onclick="x()" '), "event handler"),
    (lambda s: s.replace("</svg>", "<script>alert(1)</script></svg>"), "<script>"),
    (lambda s: s.replace("</svg>", '<image href="https://example.org/x.png"/></svg>'), "<image>"),
    (lambda s: s.replace("</svg>", "<foreignObject><p>x</p></foreignObject></svg>"), "<foreignObject>"),
    (lambda s: s.replace("</svg>", '<use href="//example.org/s.svg#a"/></svg>'), "points outside the file"),
    (lambda s: s.replace('fill="url(#p)"', 'fill="url(https://example.org/p.svg#p)"'), "external url()"),
    (lambda s: s.replace("</svg>", '<use xlink:href="http://example.org/a.svg#b" xmlns:xlink="http://www.w3.org/1999/xlink"/></svg>'),
     "points outside the file"),
    (lambda s: s.replace("</svg>", "<style>text{fill:red}</style></svg>"), "<style>"),
    (lambda s: s.replace("</text>", "</txt>"), "not well-formed XML"),
    (lambda s: '<!DOCTYPE svg [<!ENTITY x "y">]>\n' + s, "DOCTYPE"),
    (lambda s: s.replace('viewBox="0 0 100 50"', 'width="100" height="50"'), "viewBox"),
    (lambda s: re.sub(r"<text.*?</text>", "", s), "<text> elements"),
])
def test_checker_names_each_fault_with_file_and_line(tmp_path, change, message):
    path = tmp_path / "bad-one.svg"
    path.write_text(change(GOOD))
    problems = check_svg(path)
    assert problems, f"no problem found for a diagram that should fail on {message!r}"
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    assert all(p.path.endswith("bad-one.svg") and p.line >= 1 for p in problems)


def test_checker_passes_the_good_example(tmp_path):
    (tmp_path / "good.svg").write_text(GOOD)
    assert check_svg(tmp_path / "good.svg") == []


def test_include_becomes_a_captioned_figure_after_sanitising(app):
    with app.app_context():
        html = render_markdown("Before.\n\n[[diagram: safety-house]]\n\n"
                               "<svg onload=\"x()\"><script>y()</script></svg>\n")
        diagram = get_diagram("safety-house")
    assert '<figure class="diagram diagram--safety-house">' in html
    assert f'<figcaption class="diagram__caption">{diagram.title}</figcaption>' in html
    # An author's own inline SVG is still stripped: only the include brings one in.
    assert html.count("<svg") == 1 and "onload" not in html and "<script" not in html
    assert 'role="img"' in html and "The diagram in words" in html


def test_the_same_diagram_twice_on_a_page_never_repeats_an_id(app):
    with app.app_context():
        html = render_markdown("[[diagram: circles-of-safety]]\n\nText.\n\n[[diagram: circles-of-safety]]\n")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)) and len(ids) >= 6
    labelled = " ".join(re.findall(r'aria-labelledby="([^"]+)"', html)).split()
    for reference in re.findall(r"url\(#([^)]+)\)", html) + labelled:
        assert reference in ids, f"{reference} points at no id"


def test_unknown_diagram_shows_a_visible_note_not_a_crash(app):
    with app.app_context():
        html = render_markdown("[[diagram: no-such-thing]]\n")
    assert "diagram-missing" in html and "no-such-thing" in html and "content check" in html


def test_glossary_links_never_reach_inside_a_drawing(tmp_path):
    """On the module page the glossary links terms first and diagrams go in afterwards."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    module = content / "modules" / "07-mapping.md"
    text = module.read_text().replace("## What a map is\n", "## What a map is\n\n[[diagram: mapping-framework]]\n", 1)
    module.write_text(text)
    app = make_app(tmp_path, CONTENT_DIR=str(content))
    factory = Factory(app)
    client = app.test_client()
    AuthActions(client).login(factory.email(factory.user("learner")))
    page = client.get("/modules/mapping").get_data(as_text=True)
    drawings = [svg for svg in re.findall(r"<svg.*?</svg>", page, re.S) if "Harm (past)" in svg]  # not the icons
    assert drawings and all("gloss" not in svg for svg in drawings)
    assert 'class="gloss"' in page  # the glossary still links the prose
    assert "css/diagrams.css" in page


def test_content_check_reports_unknown_and_misplaced_includes_with_lines():
    body = "Intro.\n\n## One\n\n[[diagram: safety-house]]\n\nSee [[diagram: safety-house]] here.\n\n[[diagram: nope]]\n"
    problems = slide_problems(body, "content/modules/09-x.md", 12, {"safety-house"})
    found = {(p.line, p.message.split(":")[0]) for p in problems}
    assert (18, "write a diagram include alone on its line, as `[[diagram") in found
    assert any(p.line == 20 and "unknown diagram 'nope'" in p.message and "safety-house" in p.message for p in problems)
    assert len(problems) == 2


def test_expand_without_slots_leaves_html_alone():
    assert expand_diagrams("<p>No diagrams.</p>") == "<p>No diagrams.</p>"
