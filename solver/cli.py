"""Command line: ``python -m solver solve|check|generate`` (see ``--help``).

Exit codes: 0 success; 1 ``check`` found the result infeasible; 2 bad input or
usage (one line on stderr, never a traceback); 3 ``check`` found blocking pairs
that a result whose mode claims stability (stable, stable-hosts, max-stable)
does not declare in its ``blocking_pairs``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import jsonio
from .checks import check
from .errors import InstanceError, ModeError
from .generate import generate
from .model import Problem
from .modes import MODES, solve

__all__ = ["main"]

STABLE_MODES = ("stable", "stable-hosts", "max-stable")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like bad input
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m solver", description="SPRINT placement matching engine")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("solve", help="solve an instance")
    run.add_argument("instance")
    run.add_argument("--mode", choices=MODES, default="stable")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--time-limit", type=float, default=10.0, help="seconds (CP-SAT modes)")
    run.add_argument("--out", help="write the result here instead of stdout")
    run.add_argument("--no-explain", action="store_true", help="leave explanations out")
    run.add_argument("--indent", action="store_true", help="pretty-print the JSON")
    audit = sub.add_parser("check", help="check a result against an instance")
    audit.add_argument("instance")
    audit.add_argument("result")
    gen = sub.add_parser("generate", help="write a random instance")
    for name, kind, default in (
        ("students", int, 100),
        ("positions", int, None),
        ("list-length", int, 10),
        ("min-capacity", int, 1),
        ("max-capacity", int, 6),
        ("tie-prob", float, 0.0),
        ("colleges", int, 0),
        ("hosts", int, 0),
        ("group-prob", float, 0.0),
        ("popularity", float, 0.8),
        ("correlation", float, 0.5),
        ("rank-prob", float, 1.0),
        ("seed", int, 0),
    ):
        gen.add_argument(f"--{name}", type=kind, default=default)
    gen.add_argument("--college-cap", type=int, help="add a college cap of this size")
    gen.add_argument("--cap-per", choices=("host", "position"), default="host")
    gen.add_argument("--out", help="write the instance here instead of stdout")
    return parser


def _write(data: Any, out: str | None, indent: bool = False) -> None:
    payload = jsonio.dumps(data, indent=indent)
    if out:
        Path(out).write_bytes(payload)
    else:
        sys.stdout.buffer.write(payload + b"\n")
        sys.stdout.flush()


def _solve(args: argparse.Namespace) -> int:
    problem = Problem.from_dict(jsonio.load_path(args.instance))  # the parsed JSON is freed: its memory is reused
    solution = solve(problem, mode=args.mode, seed=args.seed, time_limit_s=args.time_limit, explain=not args.no_explain)
    result = solution.to_dict()
    _write(result, args.out, args.indent)
    args.keep.append((problem, solution, result))
    return 0


def _check(args: argparse.Namespace) -> int:
    problem = Problem.from_dict(jsonio.load_path(args.instance, what="instance"))
    result = jsonio.load_path(args.result, what="result")
    report = check(problem, result)
    mode = (result.get("solver") or {}).get("mode") if isinstance(result, dict) else None
    for line in report.violations:
        print(f"violation: {line}")
    declared = {tuple(pair) for pair in result.get("blocking_pairs") or [] if isinstance(pair, list)}
    for s, p in report.blocking_pairs:
        print(f"blocking pair: {s} {p}")
    hidden = [pair for pair in report.blocking_pairs if pair not in declared]
    print(
        f"feasible: {'yes' if report.feasible else 'no'}; "
        f"blocking pairs: {len(report.blocking_pairs)}; mode: {mode or 'unknown'}"
    )
    if not report.feasible:
        return 1
    return 3 if hidden and mode in STABLE_MODES else 0


def _generate(args: argparse.Namespace) -> int:
    data = generate(
        students=args.students,
        positions=args.positions,
        list_length=args.list_length,
        min_capacity=args.min_capacity,
        max_capacity=args.max_capacity,
        tie_prob=args.tie_prob,
        colleges=args.colleges,
        hosts=args.hosts,
        group_prob=args.group_prob,
        popularity=args.popularity,
        correlation=args.correlation,
        rank_prob=args.rank_prob,
        seed=args.seed,
    )
    if args.college_cap is not None:
        data["constraints"] = {"college_cap": {"per": args.cap_per, "max": args.college_cap}}
    _write(data, args.out)
    return 0


def main(argv: list[str] | None = None, *, keep: list | None = None) -> int:
    """Run the command line; returns the exit code.

    ``keep``, if given, receives the instance and result objects instead of their being freed when
    ``solve`` returns: ``python -m solver`` leaves with ``os._exit``, and freeing millions of small
    objects one by one first would cost about 5% of a 50,000-student run for nothing.
    """
    args = _parser().parse_args(argv)
    args.keep = [] if keep is None else keep
    command = {"solve": _solve, "check": _check, "generate": _generate}[args.command]
    try:
        code = command(args)
    except (InstanceError, ModeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code
