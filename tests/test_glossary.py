"""The glossary: loading and checks, the first-use linker and its popover markup, and the glossary page."""
from __future__ import annotations

import re

import pytest

from course.curriculum.glossary_links import link_terms
from course.glossary.checks import check_glossary
from course.module_files import library_for as modules_for
from course.terms import Term, glossary_for, parse_glossary

HARM = Term("Harm", "harm", "What a caregiver did that hurt the child.", "Marcus grabbed Jayden.", "key-terms")
DANGER = Term("Danger", "danger", "The worry about the future.", "Marcus may grab Jayden again.", "key-terms")
HARM_STATEMENT = Term("Harm statement", "harm-statement", "A plain account of harm.", "On Saturday...",
                      "harm-statements", aliases=("harm statements",))
SOP = Term("Safety Organized Practice", "safety-organized-practice", "California's approach.", "Dana uses SOP.",
           "what-is-sop", aliases=("SOP",))
TERMS = [HARM, DANGER, HARM_STATEMENT, SOP]


def _links(html: str) -> list[tuple[str, str]]:
    """Return (slug, linked text) for each glossary link in the HTML."""
    return re.findall(r'<a class="gloss__term" href="/glossary#([a-z-]+)" data-gloss="[^"]+">([^<]+)</a>', html)


LINKER_CASES = [
    ("first use only", "<p>Harm is past. Harm again.</p><p>More harm.</p>", [("harm", "Harm")]),
    ("not in headings", "<h2>Harm</h2><p>What harm means.</p>", [("harm", "harm")]),
    ("not in existing links", '<p><a href="/x">harm</a> then harm.</p>', [("harm", "harm")]),
    ("not in code", "<p><code>harm</code> and <pre>danger</pre> then danger.</p>", [("danger", "danger")]),
    ("not in callout titles",
     '<div class="admonition key-term"><p class="admonition-title">Harm</p><p>Harm is past.</p></div>',
     [("harm", "Harm")]),
    ("longest form wins", "<p>Write harm statements. Then harm.</p>",
     [("harm-statement", "harm statements"), ("harm", "harm")]),
    ("whole words only", "<p>harmful, unharmed, harm-free; then harm.</p>", [("harm", "harm")]),
    ("acronyms match case", "<p>sop is soup; SOP is practice.</p>", [("safety-organized-practice", "SOP")]),
    ("inside emphasis and tables", "<table><tr><td><strong>Danger</strong>: next</td></tr></table>",
     [("danger", "Danger")]),
]


@pytest.mark.parametrize("html,expected", [c[1:] for c in LINKER_CASES], ids=[c[0] for c in LINKER_CASES])
def test_linker_links_first_use_outside_headings_links_code_and_titles(html, expected):
    assert _links(link_terms(html, TERMS)) == expected


def test_linker_keeps_the_rest_of_the_html_intact():
    html = '<h2 id="a">Title</h2><p>Fish &amp; chips, &#8220;quoted&#8221;, <em>harm</em>.<br>Line</p><!-- note -->'
    out = link_terms(html, TERMS)
    assert re.sub(r'<span class="gloss">.*?</span></span>', "<em-term>", out) == html.replace("harm", "<em-term>")


def test_popover_markup_is_accessible():
    out = link_terms("<p>Harm is past.</p>", TERMS)
    assert '<a class="gloss__term" href="/glossary#harm" data-gloss="gloss-pop-harm">Harm</a>' in out
    pop = re.search(r'<span class="gloss__pop"[^>]*>', out).group(0)
    assert 'id="gloss-pop-harm"' in pop and 'role="dialog"' in pop and "hidden" in pop
    assert 'aria-labelledby="gloss-pop-harm-title"' in pop and 'id="gloss-pop-harm-title"' in out
    assert "What a caregiver did that hurt the child." in out
    assert 'class="gloss__more" href="/glossary#harm"' in out


def test_definitions_are_escaped():
    risky = Term("Risk", "risk", 'A <script>alert("x")</script> test.', "e", "m")
    out = link_terms("<p>Risk.</p>", [risky])
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_every_real_term_has_a_module_and_a_unique_slug(app):
    terms, problems = parse_glossary(glossary_for(app.config["CONTENT_DIR"]).path)
    assert problems == []
    module_ids = {m.id for m in modules_for(app.config["CONTENT_DIR"]).all()}
    slugs = [t.slug for t in terms]
    assert len(slugs) == len(set(slugs))
    assert terms and all(t.module in module_ids for t in terms), [t.term for t in terms if t.module not in module_ids]
    assert check_glossary({"CONTENT_DIR": app.config["CONTENT_DIR"]}) == []


def test_checker_finds_duplicate_slugs_missing_fields_and_unknown_modules(tmp_path):
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "01-a.md").write_text(
        "---\nid: key-terms\ntitle: A\nday: 1\norder: 1\nminutes: 30\nobjectives: [4]\nsummary: S.\n---\n\n# A\n",
        encoding="utf-8")
    (tmp_path / "glossary.yml").write_text(
        "- term: Harm\n  slug: harm\n  definition: d\n  example: e\n  module: key-terms\n"
        "- term: Hurt\n  slug: harm\n  definition: d\n  example: e\n  module: key-terms\n"
        "- term: Danger\n  slug: danger\n  definition: d\n  module: key-terms\n"
        "- term: Strengths\n  slug: strengths\n  definition: d\n  example: e\n  module: nowhere\n", encoding="utf-8")
    problems = [str(p) for p in check_glossary({"CONTENT_DIR": str(tmp_path)})]
    assert any(p.endswith("glossary.yml:6: term 'Hurt': slug 'harm' is already used by 'Harm'")
               for p in problems), problems
    assert any("glossary.yml:11: term 'Danger': missing 'example'" in p for p in problems), problems
    assert any("glossary.yml:15: term 'Strengths': module 'nowhere' does not exist" in p for p in problems), problems


@pytest.fixture
def learner(factory, auth):
    user_id = factory.user()
    auth.login(factory.email(user_id))
    return user_id


def test_module_page_links_terms_and_every_link_resolves(client, learner, app):
    html = client.get("/modules/key-terms").get_data(as_text=True)
    prose = html.split('<div class="prose">', 1)[1].split("</article>", 1)[0]
    links = _links(prose)
    assert links, "no glossary links on the key terms module"
    slugs = [slug for slug, _ in links]
    assert len(slugs) == len(set(slugs)), "each term is linked once"
    glossary = client.get("/glossary").get_data(as_text=True)
    for slug in slugs:
        assert f'id="{slug}"' in glossary, f"/glossary#{slug} has no target"
    for heading in re.findall(r"<h[1-6][^>]*>.*?</h[1-6]>", prose, re.S):
        assert "gloss__term" not in heading
    assert "js/glossary.js" in html


def test_glossary_page_lists_every_term_with_definition_example_and_module(client, learner, app):
    html = client.get("/glossary").get_data(as_text=True)
    with app.app_context():
        terms = glossary_for(app.config["CONTENT_DIR"]).terms()
    assert html.count('class="glossary__entry"') == len(terms)
    for term in terms:
        entry = re.search(rf'<div class="glossary__entry" id="{term.slug}">(.*?)</div>', html, re.S).group(1)
        assert "Example:" in entry and f'href="/modules/{term.module}"' in entry, term.slug


def test_glossary_needs_sign_in(client):
    response = client.get("/glossary")
    assert response.status_code == 302 and response.location == "/auth/login?next=%2Fglossary"
