"""Command line: python -m grader check | batch | eval | bench."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from .core import GradeError, grade, grade_many
from .people import GraderInputError
from .report import Report
from .vignette_files import RosterFolder

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def default_processes() -> int:
    """Return how many processes batch mode uses by default: one per core, at most 4."""
    import os

    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)))


def _count(n: int, noun: str) -> str:
    """'1 sentence', '2 sentences'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _sup(n: int) -> str:
    """A number in superscript digits."""
    return "".join(SUPERSCRIPTS[int(d)] for d in str(n))


def _read(path: str | None) -> str:
    """Read a file, or stdin for '-' or None."""
    if path in (None, "-"):
        return sys.stdin.read()
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def marked_text(text: str, report: Report) -> str:
    """The statement with each finding marked: [[neglected]]¹."""
    out, pos = [], 0
    for n, f in enumerate(report.findings, 1):
        if f.start < pos:  # overlapping finding: number it at the end of the earlier mark
            out.append(_sup(n))
            continue
        out.append(text[pos : f.start])
        out.append(f"[[{text[f.start : f.end]}]]{_sup(n)}")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def format_report(text: str, report: Report) -> str:
    """Human-readable report: marked text, checklist, findings."""
    lines = [f"{report.kind}: {report.verdict.upper()}", "", marked_text(text, report), ""]
    if report.components:
        lines.append("Checklist:")
        for c in report.components:
            lines.append(f"  {'✓' if c.present else '✗'} {c.label}" + ("" if c.present else f" — {c.hint}"))
    if report.questions:
        lines.append("Questions:")
        for q in report.questions:
            lines.append(f"  {'open  ' if q.open else 'closed'} {q.type:<16} {q.text}")
    if report.findings:
        lines.append("Findings:")
        for n, f in enumerate(report.findings, 1):
            lines.append(f"  {n}. [{f.severity}] {f.category} “{f.text}”: {f.message}")
            lines.append(f"     Try: {f.suggestion}")
    m = report.metrics
    lines.append(f"{_count(m['words'], 'word')}, {_count(m['sentences'], 'sentence')}, grade level {m['grade_level']}")
    return "\n".join(lines)


def _folder(args: argparse.Namespace) -> RosterFolder:
    """The vignette folder: --vignettes, else ./vignettes when it exists."""
    if args.vignettes:
        return RosterFolder(args.vignettes)
    return RosterFolder("vignettes" if Path("vignettes").is_dir() else None)


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    """Grade one statement from a file or stdin."""
    text = _read(args.file).rstrip("\n")
    try:
        report = grade(
            args.kind, text, roster=_folder(args).get(args.vignette), danger=args.danger, child_age=args.child_age
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        out.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        out.write(format_report(text, report) + "\n")
    return 0


def cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    """JSON Lines in, JSON Lines out in the same order; a bad row gets an error, not a stop."""
    rows: list[tuple[object, dict | None, str | None]] = []
    for n, line in enumerate(_read(args.file).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("each line must be a JSON object")
        except ValueError as exc:
            rows.append((None, None, f"line {n}: not valid JSON: {exc}"))
            continue
        rows.append((row.get("id"), row, None))
    folder = _folder(args)
    items = []
    for n, (rid, row, err) in enumerate(rows):
        if err is None:
            try:
                items.append(
                    {
                        "kind": row.get("kind"),
                        "text": row.get("text"),
                        "roster": folder.get(row.get("vignette")),
                        "danger": row.get("danger"),
                        "child_age": row.get("child_age"),
                    }
                )
            except GraderInputError as exc:
                rows[n] = (rid, row, str(exc))
    results = iter(grade_many(items, errors="return", n_process=args.processes, batch_size=args.batch_size))
    for rid, _row, err in rows:
        if err is None:
            res = next(results)
            failed = isinstance(res, GradeError)
            record = {"id": rid, "error": res.message} if failed else {"id": rid, "report": res.to_dict()}
        else:
            record = {"id": rid, "error": err}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    """Score the grader against a labelled corpus."""
    from .evaluate import DEFAULT_CORPUS, evaluate, format_text, load_corpus

    for index, corpus in enumerate(args.corpus or [DEFAULT_CORPUS]):
        result = evaluate(load_corpus(corpus), rosters=_folder(args))
        if not args.misses:  # a hold-out's rows must not be read, so only its summary is shown by default
            result = {k: v for k, v in result.items() if k != "misses"} | {"misses": len(result["misses"])}
        if args.format == "json":
            out.write(json.dumps({"corpus": str(corpus)} | result, ensure_ascii=False) + "\n")
        else:
            out.write(("\n" if index else "") + f"== {corpus}\n" + format_text(result, misses=args.misses) + "\n")
    return 0


def cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    """Latency versus the raw parse, and batch throughput."""
    from . import bench

    result = bench.run(
        args.corpus, rounds=args.rounds, copies=args.copies, n_process=args.processes, rosters=_folder(args)
    )
    out.write((json.dumps(result) if args.format == "json" else bench.format_text(result)) + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all subcommands."""
    from .vocabulary import KINDS

    parser = argparse.ArgumentParser(prog="python -m grader", description="SOP Foundations statement grader.")
    sub = parser.add_subparsers(dest="command", required=True)
    vignettes = argparse.ArgumentParser(add_help=False)
    vignettes.add_argument(
        "--vignettes",
        default=None,
        metavar="DIR",
        help="folder of vignette YAML files whose rosters rows may name (default: ./vignettes if present)",
    )
    p = sub.add_parser("check", help="grade one statement", parents=[vignettes])
    p.add_argument("kind", choices=KINDS)
    p.add_argument("file", nargs="?", default="-", help="file with the statement, or - for stdin")
    p.add_argument("--vignette", default=None, metavar="ID", help="grade with this vignette's roster, e.g. hill-family")
    p.add_argument("--danger", default=None, help="for a safety goal: the learner's own danger statement")
    p.add_argument("--child-age", type=int, default=None, help="for child_questions: the child's age in years")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser(
        "batch", help="grade JSON Lines {id, kind, text, vignette?, danger?, child_age?}", parents=[vignettes]
    )
    p.add_argument("file", nargs="?", default="-")
    p.add_argument(
        "--processes",
        type=int,
        default=default_processes(),
        help="worker processes (forked) for large batches; default: one per CPU core, up to 4",
    )
    p.add_argument("--batch-size", type=int, default=64)
    p.set_defaults(func=cmd_batch)
    p = sub.add_parser("eval", help="score labelled corpora (summaries; --misses lists rows)",
                       parents=[vignettes])
    p.add_argument("corpus", nargs="*", help="JSON Lines files (default: the development corpus)")
    p.add_argument("--misses", action="store_true", help="list every miss (development sets only)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("bench", help="latency and throughput on corpus texts", parents=[vignettes])
    p.add_argument("corpus", nargs="?", default=None)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--copies", type=int, default=3)
    p.add_argument("--processes", type=int, default=default_processes(), help="batch worker processes, as for batch")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    return args.func(args, out or sys.stdout)
