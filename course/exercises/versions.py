"""What each kept version stores: a short summary always, the full grader report only where it is read.

Every checked version keeps a summary (finding categories with counts, components present and
missing, verdict, grader version, a few flagged words per category). The full report is kept only
for submitted versions (trainers review them) and for the work's latest version (the statement page
shows it); older checks drop it when a newer version arrives. Both are capped, so one draft full of
flagged words cannot store hundreds of kilobytes per check.
"""
from __future__ import annotations

from collections import Counter

from ..models import Work, WorkVersion

SUMMARY_VERSION = 1
MAX_STORED_FINDINGS = 200  # a learner cannot act on more than this; the page says how many there were
MAX_STORED_QUESTIONS = 50
MAX_TEXT = 600  # any one string kept in a stored report
MAX_KEYS = 40  # categories or components named in a summary
MAX_EXAMPLES = 3  # flagged words kept per category
MAX_ID = 60


def _short(value, limit: int = MAX_TEXT):
    """Return a string cut to limit characters (anything else unchanged)."""
    return value[:limit] if isinstance(value, str) else value


def summarise(report: dict | None) -> dict | None:
    """Return the short summary of a grader report (None for no report)."""
    if not report:
        return None
    findings = [f for f in report.get("findings") or [] if isinstance(f, dict)]
    categories: Counter = Counter(_short(str(f.get("category") or "other"), MAX_ID) for f in findings)
    examples: dict[str, list[str]] = {}
    for f in findings:
        words = _short(str(f.get("text") or "").strip(), MAX_ID)  # the learner's own words, as written
        bucket = examples.setdefault(_short(str(f.get("category") or "other"), MAX_ID), [])
        if words and words.lower() not in {w.lower() for w in bucket} and len(bucket) < MAX_EXAMPLES:
            bucket.append(words)
    components = [c for c in report.get("components") or [] if isinstance(c, dict) and c.get("id")]
    questions = [q for q in report.get("questions") or [] if isinstance(q, dict)]
    keep = {name for name, _ in categories.most_common(MAX_KEYS)}
    return {
        "v": SUMMARY_VERSION,
        "kind": _short(report.get("kind"), MAX_ID),
        "verdict": _short(report.get("verdict"), MAX_ID),
        "grader_version": _short(report.get("grader_version") or "", MAX_ID),
        "findings": len(findings),
        "blocking": sum(1 for f in findings if f.get("severity") == "error"),
        "categories": {name: n for name, n in categories.items() if name in keep},
        "examples": {name: words for name, words in examples.items() if name in keep and words},
        "components": {
            "present": [_short(c["id"], MAX_ID) for c in components if c.get("present")][:MAX_KEYS],
            "missing": [_short(c["id"], MAX_ID) for c in components if not c.get("present")][:MAX_KEYS],
        },
        "component_labels": {_short(c["id"], MAX_ID): _short(str(c.get("label") or c["id"]), 120)
                             for c in components[:MAX_KEYS]},
        "questions": {"total": len(questions), "closed": sum(1 for q in questions if not q.get("open")),
                      "types": dict(Counter(_short(str(q.get("type") or "other"), MAX_ID)
                                            for q in questions).most_common(MAX_KEYS))},
    }


def capped(report: dict | None) -> dict | None:
    """Return the report as stored: at most MAX_STORED_FINDINGS findings and short strings.

    `findings_total` records how many findings there were when some are left out.
    """
    if not report:
        return report
    findings = [f for f in report.get("findings") or [] if isinstance(f, dict)]
    stored = dict(report)
    stored["findings"] = [{k: _short(v) for k, v in f.items()} for f in findings[:MAX_STORED_FINDINGS]]
    if len(findings) > MAX_STORED_FINDINGS:
        stored["findings_total"] = len(findings)
    stored["questions"] = [{k: _short(v) for k, v in q.items()} if isinstance(q, dict) else q
                           for q in (report.get("questions") or [])[:MAX_STORED_QUESTIONS]]
    return stored


def record(version: WorkVersion, report: dict | None) -> None:
    """Store a report on a version: its summary, verdict and the capped full report."""
    version.summary = summarise(report)
    version.report = capped(report)
    version.verdict = (report or {}).get("verdict")


def keeps_full_report(version: WorkVersion, latest: WorkVersion | None) -> bool:
    """Return whether a version keeps its full report: submitted ones and the latest one."""
    return version.source == "submit" or (latest is not None and version.id == latest.id)


def drop_old_reports(work: Work, latest: WorkVersion) -> None:
    """Keep only the summary on checked versions older than the latest (the caller flushes)."""
    for version in work.versions:
        if version.report is not None and not keeps_full_report(version, latest):
            if version.summary is None:
                version.summary = summarise(version.report)
            version.report = None


def version_summary(version: WorkVersion) -> dict | None:
    """Return a version's summary, made from its report when it has none stored."""
    return version.summary if version.summary is not None else summarise(version.report)
