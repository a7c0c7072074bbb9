"""Latency and throughput figures: grading versus the raw spaCy parse of the same texts."""
from __future__ import annotations

import statistics
import time
from typing import Any

from .core import grade, grade_many
from .evaluate import DEFAULT_CORPUS, load_corpus
from .pipeline import load_pipeline
from .vignette_files import RosterFolder


def _pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of a list, in milliseconds."""
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k] * 1000


def latency(rows: list[dict], rounds: int = 3) -> dict[str, dict[str, float]]:
    """Per kind: median and p95 of grade() and of the raw parse, interleaved text by text."""
    nlp = load_pipeline()
    by_kind: dict[str, dict[str, list[float]]] = {}
    for row in rows[:20]:  # warm-up: matcher build, caches, first-call costs
        grade(row["kind"], row["text"], roster=row.get("roster"))
        nlp(row["text"])
    for _ in range(rounds):
        for row in rows:
            times = by_kind.setdefault(row["kind"], {"grade": [], "parse": []})
            t0 = time.perf_counter()
            nlp(row["text"])
            t1 = time.perf_counter()
            grade(row["kind"], row["text"], roster=row.get("roster"))
            t2 = time.perf_counter()
            times["parse"].append(t1 - t0)
            times["grade"].append(t2 - t1)
    out = {}
    for kind, t in by_kind.items():
        out[kind] = {
            "n": len(t["grade"]),
            "grade_median_ms": round(_pct(t["grade"], 0.5), 3),
            "grade_p95_ms": round(_pct(t["grade"], 0.95), 3),
            "parse_median_ms": round(_pct(t["parse"], 0.5), 3),
            "parse_p95_ms": round(_pct(t["parse"], 0.95), 3),
        }
        out[kind]["ratio"] = round(out[kind]["grade_median_ms"] / out[kind]["parse_median_ms"], 3)
    return out


def throughput(rows: list[dict], copies: int = 3, n_process: int = 1, batch_size: int = 64,
               rounds: int = 3) -> dict[str, Any]:
    """Items per second: grade() one by one versus grade_many(), alternated over rounds (medians)."""
    items = [{"kind": r["kind"], "text": r["text"], "roster": r.get("roster")} for r in rows] * copies
    ones, manys = [], []
    for _ in range(max(1, rounds)):  # alternate so machine drift hits both sides alike
        t0 = time.perf_counter()
        for item in items:
            grade(item["kind"], item["text"], roster=item["roster"])
        ones.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        grade_many(items, batch_size=batch_size, n_process=n_process)
        manys.append(time.perf_counter() - t0)
    one, many = statistics.median(ones), statistics.median(manys)
    return {"items": len(items), "n_process": n_process, "batch_size": batch_size, "rounds": len(ones),
            "one_by_one_per_s": round(len(items) / one, 1), "batch_per_s": round(len(items) / many, 1),
            "speedup": round(one / many, 2), "speedups": [round(o / m, 2) for o, m in zip(ones, manys, strict=True)]}


def run(corpus: str | None = None, rounds: int = 3, copies: int = 3, n_process: int = 1,
        rosters: RosterFolder | None = None) -> dict[str, Any]:
    """Run both benchmarks on the corpus texts."""
    folder = rosters or RosterFolder(None)
    rows = [dict(r, roster=folder.get(r.get("vignette"))) for r in load_corpus(corpus or DEFAULT_CORPUS)]
    lat = latency(rows, rounds)
    all_grade = statistics.median(v["grade_median_ms"] for v in lat.values())
    all_parse = statistics.median(v["parse_median_ms"] for v in lat.values())
    return {"latency": lat, "overall_ratio": round(all_grade / all_parse, 3),
            "throughput": throughput(rows, copies, n_process=n_process, rounds=rounds)}


def format_text(result: dict[str, Any]) -> str:
    """A table of the benchmark figures."""
    lines = [
        f"{'kind':<12} {'n':>5} {'grade med':>10} {'grade p95':>10} {'parse med':>10} {'parse p95':>10} {'ratio':>6}"
    ]
    for kind, v in result["latency"].items():
        lines.append(f"{kind:<12} {v['n']:>5} {v['grade_median_ms']:>10.2f} {v['grade_p95_ms']:>10.2f} "
                     f"{v['parse_median_ms']:>10.2f} {v['parse_p95_ms']:>10.2f} {v['ratio']:>6.2f}")
    lines.append(f"overall grade/parse ratio (median of kind medians): {result['overall_ratio']}")
    t = result["throughput"]
    lines.append(f"throughput on {t['items']} items: one by one {t['one_by_one_per_s']}/s, batch "
                 f"{t['batch_per_s']}/s (n_process={t['n_process']}, batch_size={t['batch_size']}): {t['speedup']}x")
    return "\n".join(lines)
