"""Benchmark of the solver package; prints a Markdown table (not a timed test).

    python benchmarks/solver_bench.py              # full run (about 4 minutes)
    python benchmarks/solver_bench.py --quick      # smoke run (seconds)
    python benchmarks/solver_bench.py --with-matching-50k   # adds ~16 min of `matching`

Every case runs in its own subprocess, so "peak RSS" (ru_maxrss) is that case
alone. Instances: ``solver.generate`` with 10 ranked positions per student,
1-6 slots per position, seats for about 85% of students, Zipf(0.8) popularity.
"stable e2e" = read the JSON file, validate, solve, build the result dict,
serialise it and write it; best of --repeats runs (wall and CPU time).
"CLI" = ``python -m solver solve`` in a process of its own, exactly as a user
runs it (explanations on by default), interpreter start included.
"max-stable, no side constraints" = ties on both sides (tie density 0.3),
lists of 10, N/4 positions: our ``solve(mode="max-stable")`` beside a plain
CP-SAT clause model this script builds itself (solver_bench_reference.py),
each in its own process with the same time limit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from solver_bench_cases import run_case  # noqa: E402  (benchmarks/ is on sys.path)

from solver import generate  # noqa: E402


def _child(case: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, __file__, "--case", case, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _instance(folder: Path, name: str, **kwargs) -> str:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(generate(**kwargs)))
    return str(path)


def _stable_rows(folder: Path, sizes: list[int], repeats: int, library: set[int]) -> list[str]:
    rows = []
    for n in sizes:
        path = _instance(folder, f"strict{n}", students=n, seed=1)
        plain = _child("stable", path, "0", str(repeats))
        full = _child("stable", path, "1", str(repeats))  # best of as many runs as without
        lib = _child("matching", path) if n in library else None
        same = "-" if lib is None else ("yes" if lib["digest"] == plain["digest"] else "NO")
        # the product as a user runs it: explanations on (the default)
        speed = "-" if lib is None else f"{lib['seconds'] / full['wall']:.0f}x"
        lib_time = "-" if lib is None else f"{lib['seconds']:.2f} s ({lib['rss_mb']:.0f} MB)"
        rows.append(
            f"| stable e2e | {n:,} | {plain['matched']:,} | {plain['wall']:.3f} s "
            f"(cpu {plain['cpu']:.3f}) | {full['wall']:.3f} s | "
            f"{plain['rss_mb']:.0f} / {full['rss_mb']:.0f} MB | {lib_time} | "
            f"{speed} | {same} |"
        )
    return rows


def _cpsat_rows(folder: Path, cases: list[tuple[int, int, str, int, float]]) -> list[str]:
    rows = []
    for n, positions, per, cap, limit in cases:
        path = _instance(
            folder,
            f"ties{n}{per}",
            students=n,
            positions=positions,
            tie_prob=0.3,
            colleges=10,
            hosts=max(1, positions // 3),
            seed=1,
        )
        data = json.loads(Path(path).read_text())
        data["constraints"] = {"college_cap": {"per": per, "max": cap}}
        Path(path).write_text(json.dumps(data))
        r = _child("max-stable", path, str(limit))
        rows.append(
            f"| {n:,} / {positions:,} | cap {cap} per {per} | {limit:.0f} s | "
            f"{r['status']} | {r['matched']:,} (hint {r['da_matched']:,}) | "
            f"{r['bound']} | {r['gap']} | {r['blocking']} | {r['seconds']:.2f} s | "
            f"{r['rss_mb']:.0f} MB | {r['phases']} |"
        )
    return rows


def _timing(r: dict) -> str:
    """Best wall time (spread over the repeats) and best CPU time (spread)."""
    wall = f"{r['wall']:.2f} s ({r['wall']:.2f}-{r['wall_max']:.2f})"
    return f"{wall}, cpu {r['cpu']:.2f} s ({r['cpu']:.2f}-{r['cpu_max']:.2f})"


def _cli_rows(folder: Path, sizes: list[int], repeats: int) -> list[str]:
    rows = []
    for n in sizes:
        path = str(folder / f"strict{n}.json")
        if not Path(path).exists():
            path = _instance(folder, f"strict{n}", students=n, seed=1)
        with_text = _child("cli", path, "1", str(repeats))
        without = _child("cli", path, "0", str(repeats))
        rows.append(
            f"| CLI `python -m solver solve` | {n:,} | {_timing(without)}, "
            f"{without['rss_mb']:.0f} MB, {without['result_mb']:.1f} MB file | "
            f"{_timing(with_text)}, {with_text['rss_mb']:.0f} MB, "
            f"{with_text['result_mb']:.1f} MB file |"
        )
    return rows


def _n(value) -> str:
    return "-" if value is None else f"{value:,}"


def _plain_rows(folder: Path, cases: list[tuple[int, float]]) -> list[str]:
    rows = []
    for n, limit in cases:
        path = _instance(folder, f"hrt{n}", students=n, positions=n // 4, tie_prob=0.3, seed=1)
        ours = _child("max-stable-plain", path, str(limit))
        ref = _child("reference", path, str(limit))
        removed = (ours["pairs"] or {}).get("removed_by_preprocessing", 0)
        rows.append(
            f"| {n:,} / {n // 4:,} | {limit:.0f} s | ours | {ours['status']} "
            f"(placements {ours['placements_status']} in {ours['placements_s']} s) | "
            f"{_n(ours['placed'])} | {ours['bound']} | {ours['gap']} | "
            f"{ours['seconds']:.1f} s | {ours['rss_mb']:.0f} MB | "
            f"{_n(ours['variables'])} / {_n(ours['constraints'])} "
            f"({_n(removed)} pairs removed) |"
        )
        rows.append(
            f"| | | reference | {ref['status']} | {_n(ref['placed'])} | {ref['bound']} | "
            f"{ref['gap']} | {ref['seconds']:.1f} s | {ref['rss_mb']:.0f} MB | "
            f"{_n(ref['variables'])} / {_n(ref['constraints'])} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, short limits")
    parser.add_argument(
        "--with-matching-50k", action="store_true", help="also time the `matching` library at 50,000 students (~16 min)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("stable", "cli", "max-stable", "plain"), help="run one table")
    parser.add_argument(
        "--plain-sizes", default="1000,10000,50000", help="students in the max-stable-without-side-constraints table"
    )
    parser.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(*args.case)))
        return
    sizes = [2_000] if args.quick else [10_000, 50_000]
    library = {2_000} if args.quick else {10_000} | ({50_000} if args.with_matching_50k else set())
    cpsat = (
        [(200, 80, "position", 1, 5.0)]
        if args.quick
        else [(500, 200, "position", 1, 10.0), (500, 200, "host", 2, 10.0), (5_000, 2_000, "position", 1, 60.0)]
    )
    plain = [
        (n, 10.0 if args.quick else (60.0 if n <= 10_000 else 300.0))
        for n in ([300] if args.quick else map(int, args.plain_sizes.split(",")))
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
            f"repeats={args.repeats}, load average at start {load}\n"
        )
        if args.only in (None, "stable"):
            print(
                "| case | students | matched | no explanations | with explanations | "
                "peak RSS (no/with) | `matching` 1.4.3 | speed-up | identical |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
            for row in _stable_rows(folder, sizes, args.repeats, library):
                print(row, flush=True)
        if args.only in (None, "cli"):
            print("\n| case | students | without explanations | with explanations (default) |")
            print("|---|---:|---:|---:|")
            for row in _cli_rows(folder, sizes, args.repeats):
                print(row, flush=True)
        if args.only in (None, "plain"):
            print(
                "\n| max-stable, no side constraints: students / positions | time limit | model | "
                "status | placed | bound | gap | time | peak RSS | variables / constraints |"
            )
            print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|")
            for row in _plain_rows(folder, plain):
                print(row, flush=True)
        if args.only in (None, "max-stable"):
            print(
                "\n| max-stable: students / positions | college cap | time limit | status | "
                "matched (cap-aware DA) | bound | gap | blocking pairs | solve time | "
                "peak RSS | CP-SAT phases |"
            )
            print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
            for row in _cpsat_rows(folder, cpsat):
                print(row, flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print("\n(speed-up: the `matching` library's time over ours with explanations, the default)")
    print(f"(bench wall time {time.perf_counter() - started:.0f} s; load average at end {load})")


if __name__ == "__main__":
    main()
