"""The report a grade returns, and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Evidence:
    """A span of the submitted text: text[start:end] == text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Component:
    """One required part of a statement and whether it is there."""

    id: str
    label: str
    present: bool
    evidence: tuple[Evidence, ...]
    hint: str


@dataclass(frozen=True)
class Finding:
    """One problem found in the text, with what to write instead."""

    rule: str
    category: str
    severity: str
    start: int
    end: int
    text: str
    message: str
    suggestion: str


@dataclass(frozen=True)
class Question:
    """One question of an sf_question text."""

    start: int
    end: int
    text: str
    type: str
    open: bool


@dataclass(frozen=True)
class Report:
    """Everything the grader says about one statement."""

    kind: str
    verdict: str
    components: tuple[Component, ...]
    findings: tuple[Finding, ...]
    questions: tuple[Question, ...]
    metrics: dict = field(default_factory=dict)
    grader_version: str = ""

    def to_dict(self) -> dict:
        """The JSON form of the report (the API contract)."""
        out = asdict(self)
        for comp in out["components"]:
            comp["evidence"] = list(comp["evidence"])
        out["components"] = list(out["components"])
        out["findings"] = list(out["findings"])
        out["questions"] = list(out["questions"])
        return out

    def component(self, component_id: str) -> Component:
        """Return the component with this id."""
        for comp in self.components:
            if comp.id == component_id:
                return comp
        raise KeyError(component_id)
