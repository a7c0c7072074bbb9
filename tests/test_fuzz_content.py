"""Property tests: the module loader and renderer never crash, whatever the file holds."""
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from course.curriculum.render import render_markdown, split_sections
from course.module_files import ContentError, Module, parse_module

yaml_values = st.one_of(
    st.text(max_size=30), st.integers(-5, 20), st.booleans(), st.none(),
    st.lists(st.integers(-2, 12), max_size=4), st.lists(st.text(max_size=5), max_size=3),
)
keys = st.sampled_from(["id", "title", "day", "order", "minutes", "objectives", "summary", "prework", "quiz", "extra"])


def _front_matter(pairs: dict) -> str:
    import yaml

    return yaml.safe_dump(pairs, allow_unicode=True) if pairs else ""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pairs=st.dictionaries(keys, yaml_values, max_size=9),
    body=st.text(max_size=400),
    raw=st.booleans(),
    junk=st.text(max_size=80),
)
def test_loader_returns_a_module_or_a_content_error(pairs, body, raw, junk):
    text = f"---\n{junk if raw else _front_matter(pairs)}\n---\n{body}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.md"
        path.write_text(text, encoding="utf-8")
        try:
            module = parse_module(path)
        except ContentError as exc:
            assert exc.problems and all(p.line >= 0 and p.message for p in exc.problems)
        else:
            assert isinstance(module, Module) and module.day in (1, 2)
            assert all(1 <= o <= 10 for o in module.objectives)


@settings(max_examples=150, deadline=None)
@given(body=st.text(max_size=600))
def test_renderer_never_crashes_or_lets_scripts_through(body):
    for audience in ("learner", "trainer"):
        html = render_markdown(body + "\n<script>x()</script><img src=x onerror=y()>", audience)
        assert "<script" not in html.lower() and "onerror" not in html.lower()
    joined = "".join(s.markdown for s in split_sections(body))
    for line in body.splitlines():  # slides lose only the `---` rules that cut them
        if line.strip() and line.strip() != "---":
            assert line in joined
