"""Security headers on every response, no-store on personal data, and no inline script or style on any page.

Every GET route of the security matrix is fetched by a role allowed to see it; each page must carry
the Content-Security-Policy and friends, and its HTML must hold no inline <script> body, <style>
element, style= attribute or on*= handler (including inside SVG and rendered Markdown)."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import PASSWORD, make_app
from tests.test_security_matrix import ACCESS, _rules, _url, build_world

FETCHING_ROLES = ("anonymous", "learner", "trainer", "admin", "other_learner", "other_trainer")


class InlineFinder(HTMLParser):
    """Collect what a strict Content-Security-Policy would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        """Note style elements, style attributes, on* handlers and scripts without src."""
        names = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style> element")
        data_block = names.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and not names.get("src") and not data_block:
            self._script = {"body": ""}

    def handle_data(self, data):
        """Keep the body of an inline script."""
        if self._script is not None:
            self._script["body"] += data

    def handle_endtag(self, tag):
        """Report a script whose body would run inline."""
        if tag == "script" and self._script is not None:
            if self._script["body"].strip():
                self.problems.append(f"inline <script>: {self._script['body'].strip()[:60]!r}")
            self._script = None

    def handle_startendtag(self, tag, attrs):
        """Self-closing tags (as in SVG) are checked like any other."""
        self.handle_starttag(tag, attrs)


def inline_problems(html: str) -> list[str]:
    """Return what in this HTML a CSP without 'unsafe-inline' would block."""
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


@pytest.mark.parametrize("html, found", [
    ('<p style="color:red">x</p>', True),
    ('<svg><rect style="fill:red"/></svg>', True),
    ('<button onclick="go()">x</button>', True),
    ("<script>alert(1)</script>", True),
    ("<style>p{}</style>", True),
    ('<script src="/static/js/app.js"></script>', False),
    ('<script type="application/json" id="s">{"a": 1}</script>', False),
    ('<p class="onward" data-confirm="Sure?">on style</p>', False),
])
def test_the_inline_finder(html, found):
    assert bool(inline_problems(html)) is found, html


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("headers"))


def _clients(world) -> dict:
    clients = {}
    for role in FETCHING_ROLES:
        client = world.app.test_client()
        if role != "anonymous":
            signed = client.post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
            assert signed.status_code == 302
        clients[role] = client
    return clients


def _get_routes(world):
    return [rule for rule in _rules(world.app) if "GET" in rule.methods and rule.endpoint != "static"]


@pytest.mark.slow
def test_every_page_sends_the_headers_and_has_no_inline_script_or_style(world):
    clients = _clients(world)
    problems, fetched = [], 0
    for rule in _get_routes(world):
        url = _url(world, rule)
        role = next(r for r in FETCHING_ROLES if r in ACCESS[rule.endpoint])
        response = clients[role].get(url)
        fetched += 1
        where = f"GET {url} as {role} ({response.status_code})"
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        if "default-src 'self'" not in csp or "frame-ancestors 'none'" not in csp or "unsafe-inline" in csp:
            problems.append(f"{where}: Content-Security-Policy is {csp!r}")
        if headers.get("Referrer-Policy") != "same-origin" or headers.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{where}: Referrer-Policy or X-Content-Type-Options missing")
        personal = role != "anonymous" or response.mimetype in ("text/csv", "application/json")
        if personal and headers.get("Cache-Control") != "no-store":
            problems.append(f"{where}: Cache-Control is {headers.get('Cache-Control')!r}, not no-store")
        if response.mimetype == "text/html":
            problems.extend(f"{where}: {found}" for found in inline_problems(response.get_data(as_text=True)))
    assert fetched > 40
    assert not problems, "\n".join(problems)


def test_static_files_may_be_cached(world):
    response = world.app.test_client().get("/static/css/app.css")
    assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_hsts_only_with_secure_cookies(tmp_path):
    app = make_app(tmp_path)
    assert "Strict-Transport-Security" not in app.test_client().get("/auth/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    assert app.test_client().get("/auth/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")
