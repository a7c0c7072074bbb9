"""Measure the grader against a labelled corpus (docs/grader-corpus-format.md)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from .core import grade_many
from .report import Report
from .vignette_files import RosterFolder

EVALUATED = (
    "vague_label",
    "jargon",
    "judgmental",
    "negative_framing",
    "service_compliance",
    "closed_question",
    "why_question",
    "leading_question",
    "privacy",
    "passive_voice",
)
GAMING = {"bad": "revise", "excellent": "ready"}
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "grader_corpus.jsonl"


def load_corpus(path: Path | str) -> list[dict]:
    """Read a JSONL corpus, naming the line of any bad row."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not valid JSON: {exc}") from exc
        if "gaming" in row and row["gaming"] not in GAMING:
            raise ValueError(f"{path}:{n}: 'gaming' must be one of {', '.join(GAMING)}")
        if "verdict" not in row and "gaming" in row:
            row["verdict"] = GAMING[row["gaming"]]  # a bad draft should be sent back, an excellent one pass
        for key in ("id", "kind", "text", "verdict"):
            if key not in row:
                raise ValueError(f"{path}:{n}: missing {key!r}")
        rows.append(row)
    return rows


def _find_whole(text: str, want: str, start: int) -> int:
    """Position of `want` at or after start as whole words ("never" is not found inside "whenever")."""
    left = r"(?<!\w)" if want[:1].isalnum() else ""
    right = r"(?!\w)" if want[-1:].isalnum() else ""
    for flags in (0, re.IGNORECASE):
        match = re.compile(left + re.escape(want) + right, flags).search(text, start)
        if match:
            return match.start()
    return -1


def locate_flags(text: str, flags: list[dict]) -> list[tuple[str, int, int, str]]:
    """Find each expected flag's span: successive whole-word occurrences of its text, per category."""
    cursor: dict[tuple[str, str], int] = defaultdict(int)
    out = []
    for flag in flags:
        want = flag["text"]
        key = (flag["category"], want.lower())
        pos = _find_whole(text, want, cursor[key])
        if pos < 0:
            out.append((flag["category"], -1, -1, want))
            continue
        cursor[key] = pos + len(want)
        out.append((flag["category"], pos, pos + len(want), want))
    return out


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa for (expected, predicted) label pairs."""
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(e == p for e, p in pairs) / n
    exp_counts, pred_counts = Counter(e for e, _ in pairs), Counter(p for _, p in pairs)
    chance = sum(exp_counts[k] * pred_counts[k] for k in set(exp_counts) | set(pred_counts)) / (n * n)
    return 1.0 if chance == 1 else round((observed - chance) / (1 - chance), 4)


def _ratio(good: int, total: int) -> float | None:
    """A rounded ratio, or None when there is nothing to count."""
    return round(good / total, 4) if total else None


def grade_rows(rows: list[dict], rosters: RosterFolder | None = None) -> list[Report]:
    """Grade corpus rows, each with its vignette's roster (from the folder) and its danger, if any."""
    folder = rosters or RosterFolder(None)
    return grade_many(
        [
            {
                "kind": r["kind"],
                "text": r["text"],
                "roster": folder.get(r.get("vignette")),
                "danger": r.get("danger"),
                "child_age": r.get("child_age"),
            }
            for r in rows
        ]
    )


def evaluate(rows: Iterable[dict], reports: list[Report] | None = None, rosters: RosterFolder | None = None) -> dict:
    """Compare reports (graded here unless given) with the corpus labels."""
    rows = list(rows)
    if reports is None:
        reports = grade_rows(rows, rosters)
    verdict_pairs, misses = [], []
    comp_total: Counter = Counter()
    comp_good: Counter = Counter()
    tp_pred: Counter = Counter()
    n_pred: Counter = Counter()
    tp_exp: Counter = Counter()
    n_exp: Counter = Counter()
    qt_good = qt_total = qo_good = 0
    clean_rows = clean_false = 0
    gaming = {
        "bad": 0,
        "bad_passed": 0,
        "excellent": 0,
        "excellent_sent_back": 0,
        "passed_ids": [],
        "sent_back_ids": [],
    }
    for row, rep in zip(rows, reports, strict=True):
        rid = row["id"]
        verdict_pairs.append((row["verdict"], rep.verdict))
        if row["verdict"] != rep.verdict:
            misses.append({"id": rid, "what": "verdict", "expected": row["verdict"], "got": rep.verdict})
        got_components = {c.id: c.present for c in rep.components}
        for cid, want in (row.get("components") or {}).items():
            comp_total[cid] += 1
            if got_components.get(cid) == want:
                comp_good[cid] += 1
            else:
                misses.append({"id": rid, "what": f"component {cid}", "expected": want, "got": got_components.get(cid)})
        if row.get("gaming") == "bad":
            gaming["bad"] += 1
            if rep.verdict == "ready":
                gaming["bad_passed"] += 1
                gaming["passed_ids"].append(rid)
        elif row.get("gaming") == "excellent":
            gaming["excellent"] += 1
            if rep.verdict != "ready":
                gaming["excellent_sent_back"] += 1
                gaming["sent_back_ids"].append(rid)
        if "flags" in row:  # a row without flag labels is scored on its verdict and components only
            expected = locate_flags(row["text"], row.get("flags") or [])
            predicted = [(f.category, f.start, f.end, f.text) for f in rep.findings if f.category in EVALUATED]
            if not expected:
                clean_rows += 1
                clean_false += len(predicted)
            for cat, s, e, t in expected:
                n_exp[cat] += 1
                if any(pc == cat and ps < e and s < pe for pc, ps, pe, _ in predicted):
                    tp_exp[cat] += 1
                else:
                    misses.append({"id": rid, "what": f"missed flag {cat}", "expected": t, "got": None})
            for cat, s, e, t in predicted:
                n_pred[cat] += 1
                if any(ec == cat and es < e and s < ee for ec, es, ee, _ in expected):
                    tp_pred[cat] += 1
                else:
                    misses.append({"id": rid, "what": f"extra flag {cat}", "expected": None, "got": t})
        want_q = row.get("questions") or []
        got_q = list(rep.questions)
        if row["kind"] == "sf_question":
            for i, wq in enumerate(want_q):
                qt_total += 1
                gq = got_q[i] if i < len(got_q) else None
                if gq is not None and gq.type == wq["type"]:
                    qt_good += 1
                else:
                    misses.append(
                        {"id": rid, "what": f"question {i + 1} type", "expected": wq["type"], "got": gq and gq.type}
                    )
                if gq is not None and gq.open == wq["open"]:
                    qo_good += 1
                else:
                    misses.append(
                        {"id": rid, "what": f"question {i + 1} open", "expected": wq["open"], "got": gq and gq.open}
                    )
            if len(got_q) != len(want_q):
                misses.append({"id": rid, "what": "question count", "expected": len(want_q), "got": len(got_q)})
    cats = sorted(set(n_exp) | set(n_pred), key=lambda c: EVALUATED.index(c))
    flags = {
        c: {
            "precision": _ratio(tp_pred[c], n_pred[c]),
            "recall": _ratio(tp_exp[c], n_exp[c]),
            "predicted": n_pred[c],
            "expected": n_exp[c],
        }
        for c in cats
    }
    return {
        "rows": len(rows),
        "verdict_accuracy": _ratio(sum(e == p for e, p in verdict_pairs), len(verdict_pairs)),
        "verdict_kappa": cohen_kappa(verdict_pairs),
        "component_accuracy": _ratio(sum(comp_good.values()), sum(comp_total.values())),
        "components": {c: _ratio(comp_good[c], comp_total[c]) for c in sorted(comp_total)},
        "flags": flags,
        "flag_precision": _ratio(sum(tp_pred.values()), sum(n_pred.values())),
        "flag_recall": _ratio(sum(tp_exp.values()), sum(n_exp.values())),
        "false_flags_per_clean_draft": _ratio(clean_false, clean_rows),
        "clean_drafts": clean_rows,
        "gaming": gaming if gaming["bad"] or gaming["excellent"] else None,
        "question_type_accuracy": _ratio(qt_good, qt_total),
        "question_open_accuracy": _ratio(qo_good, qt_total),
        "misses": misses,
    }


def format_text(result: dict, misses: bool = False) -> str:
    """A readable summary of an evaluation."""
    lines = [
        f"rows: {result['rows']}",
        f"verdict accuracy: {result['verdict_accuracy']}  (Cohen's kappa {result['verdict_kappa']})",
        f"component accuracy: {result['component_accuracy']}",
    ]
    lines += [f"  {c:<20} {v}" for c, v in result["components"].items()]
    lines.append(f"flags: precision {result['flag_precision']}  recall {result['flag_recall']}")
    lines.append(f"  {'category':<20} {'precision':>9} {'recall':>7} {'pred':>5} {'exp':>5}")
    for c, v in result["flags"].items():
        lines.append(f"  {c:<20} {str(v['precision']):>9} {str(v['recall']):>7} {v['predicted']:>5} {v['expected']:>5}")
    lines.append(
        f"false flags per clean draft: {result['false_flags_per_clean_draft']}  ({result['clean_drafts']} clean drafts)"
    )
    lines.append(
        f"question type accuracy: {result['question_type_accuracy']}  "
        f"open/closed accuracy: {result['question_open_accuracy']}"
    )
    g = result.get("gaming")
    if g:
        lines.append(
            f"gaming: {g['bad_passed']} of {g['bad']} bad drafts pass; "
            f"{g['excellent_sent_back']} of {g['excellent']} excellent drafts are sent back"
        )
    if misses:
        lines.append(f"misses ({len(result['misses'])}):")
        for m in result["misses"]:
            lines.append(f"  {m['id']}: {m['what']}: expected {m['expected']!r}, got {m['got']!r}")
    else:
        count = result["misses"] if isinstance(result["misses"], int) else len(result["misses"])
        lines.append(f"misses: {count} (listed with --misses; never list them for a hold-out set)")
    return "\n".join(lines)
