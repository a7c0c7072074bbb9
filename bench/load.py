"""Load benchmark: 40 simulated classroom clients for 60 seconds against gunicorn.

    .venv/bin/python bench/load.py [--clients 40] [--seconds 60] [--workers 4] [--database-url URL]

Learners read module pages, check drafts with the grade API and autosave; one trainer works the
review queue. Reports p50/p95 per action, throughput and errors, and compares the grade API's
p95 under load with a single grade's latency on the idle server (target: under 3x)."""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Client, GunicornServer, percentile, prepare_database  # noqa: E402

MODULES = [
    "harm-statements",
    "danger-statements",
    "safety-goals",
    "mapping",
    "key-terms",
    "behaviorally-specific-language",
]
DRAFTS = [
    "On Saturday night Marcus grabbed Jayden (7) by the arm and pushed him into the hallway wall; "
    "Jayden had a bruise on his forehead.",
    "Dana and Aunt Keisha are worried that when Marcus has been drinking he may grab or throw Jayden again, "
    "and Jayden could break a bone.",
    "Mom neglected the kids and there was DV in the home.",
    "The social worker and Keisha need to see Tanya take Jayden to Keisha's house whenever Marcus starts drinking, "
    "every weekend for six months, so that Jayden feels safe.",
]


def idle_grade_latency(base_url: str, email: str, samples: int = 25) -> float:
    """Median seconds for one grade request on the otherwise idle server."""
    client = Client(base_url)
    client.login(email)
    times = []
    for index in range(samples):
        response = client.post_json(
            "/api/v1/grade", {"kind": "harm", "text": DRAFTS[index % 2], "vignette": "hill-family"}
        )
        if response.status == 200:
            times.append(response.elapsed)
    return statistics.median(times[3:])  # skip warm-up


def learner_loop(base_url: str, email: str, stop_at: float, record, rng: random.Random) -> None:
    """Act like a learner in class until the time is up."""
    client = Client(base_url)
    client.login(email)
    revision = 0
    while time.monotonic() < stop_at:
        action = rng.choices(["module", "grade", "autosave"], weights=[3, 2, 3])[0]
        if action == "module":
            response = client.get(f"/modules/{rng.choice(MODULES)}")
        elif action == "grade":
            response = client.post_json(
                "/api/v1/grade", {"kind": "harm", "text": rng.choice(DRAFTS), "vignette": "hill-family"}
            )
        else:
            response = client.post_json("/exercises/hill-family/write/harm/1/autosave",
                                        {"text": rng.choice(DRAFTS) + f" ({time.time():.3f})", "revision": revision})
            if response.status == 200:
                revision = response.json()["revision"]
        record(action, response)
        time.sleep(rng.uniform(0.5, 1.5))  # reading and typing between requests


def trainer_loop(base_url: str, email: str, stop_at: float, record, rng: random.Random) -> None:
    """Act like a trainer refreshing the review queue."""
    client = Client(base_url)
    client.login(email)
    while time.monotonic() < stop_at:
        record("review_queue", client.get("/review/"))
        time.sleep(rng.uniform(1.0, 2.0))


def run(clients: int, seconds: int, workers: int, database_url: str | None) -> dict:
    """Run the benchmark and return its figures."""
    with tempfile.TemporaryDirectory() as scratch:
        url = database_url or f"sqlite:///{scratch}/load.sqlite3"
        accounts = prepare_database(url, clients, instance_path=scratch)
        server = GunicornServer(url, workers=workers, threads=4, log_path=f"{scratch}/gunicorn.log").start()
        try:
            idle = idle_grade_latency(server.url, accounts["learners"][0])
            samples: dict[str, list[float]] = {}
            statuses: dict[str, dict[int, int]] = {}
            lock = threading.Lock()

            def record(action, response):
                with lock:
                    samples.setdefault(action, []).append(response.elapsed)
                    bucket = statuses.setdefault(action, {})
                    bucket[response.status] = bucket.get(response.status, 0) + 1

            stop_at = time.monotonic() + seconds
            threads = [
                threading.Thread(target=learner_loop, args=(server.url, email, stop_at, record, random.Random(i)))
                for i, email in enumerate(accounts["learners"][: clients - 1])
            ]
            threads.append(
                threading.Thread(
                    target=trainer_loop, args=(server.url, accounts["trainer"], stop_at, record, random.Random(99))
                )
            )
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.stop()
    total = sum(len(v) for v in samples.values())
    errors = sum(n for bucket in statuses.values() for code, n in bucket.items() if code >= 500 or code == 0)
    actions = {
        action: {"count": len(values), "p50_ms": round(percentile(values, 50) * 1000, 1),
                 "p95_ms": round(percentile(values, 95) * 1000, 1), "statuses": statuses[action]}
        for action, values in sorted(samples.items())
    }
    grade_p95 = actions.get("grade", {}).get("p95_ms", float("nan"))
    return {
        "clients": clients, "seconds": round(elapsed, 1), "workers": workers,
        "database": "postgresql" if database_url else "sqlite",
        "requests": total, "throughput_rps": round(total / elapsed, 1), "errors": errors, "actions": actions,
        "idle_grade_ms": round(idle * 1000, 1), "grade_p95_over_idle": round(grade_p95 / (idle * 1000), 2),
    }


def main() -> None:
    """Parse arguments, run, print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a scratch SQLite file)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    result = run(args.clients, args.seconds, args.workers, args.database_url)
    if args.format == "json":
        print(json.dumps(result, indent=2))
        return
    print(f"{result['clients']} clients, {result['seconds']} s, {result['workers']} gunicorn workers, "
          f"{result['database']}")
    print(f"{'action':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    for action, row in result["actions"].items():
        print(f"{action:<14}{row['count']:>7}{row['p50_ms']:>9}{row['p95_ms']:>9}  {row['statuses']}")
    print(f"throughput {result['throughput_rps']} requests/s, errors {result['errors']}")
    print(f"grade API: idle single {result['idle_grade_ms']} ms, "
          f"p95 under load = {result['grade_p95_over_idle']}x idle (target < 3x)")


if __name__ == "__main__":
    main()
