"""The cases solver_bench.py runs, each in a fresh subprocess."""

from __future__ import annotations

import hashlib
import resource
import sys
import threading
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digest(pairs: list[tuple[str, str]]) -> str:
    text = "\n".join(f"{s},{p}" for s, p in sorted(pairs))
    return hashlib.sha256(text.encode()).hexdigest()


def stable(path: str, explain: str, repeats: str) -> dict:
    """Read, validate, solve, serialise and write; best of ``repeats``."""
    from solver import Problem, jsonio, solve

    out = Path(path).with_suffix(".result.json")
    best_wall = best_cpu = float("inf")
    for _ in range(int(repeats)):
        problem = solution = None  # free the last run's objects before the clock starts, not inside it
        wall, cpu = time.perf_counter(), time.process_time()
        problem = Problem.from_dict(jsonio.loads(Path(path).read_bytes()))
        solution = solve(problem, explain=explain == "1")
        out.write_bytes(jsonio.dumps(solution.to_dict()))
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    pairs = list(solution.matching.items())
    return {"wall": best_wall, "cpu": best_cpu, "matched": len(pairs), "digest": _digest(pairs), "rss_mb": _rss_mb()}


def matching(path: str) -> dict:
    """The `matching` library's resident-optimal answer, timed from the loaded JSON."""
    import json

    from matching.games import HospitalResident

    data = json.loads(Path(path).read_text())
    residents = {s["id"]: s["prefs"] for s in data["students"] if s["prefs"]}
    hospitals = {p["id"]: p["prefs"] for p in data["positions"] if p["prefs"]}
    capacities = {p["id"]: p["capacity"] for p in data["positions"] if p["prefs"]}
    box: dict = {}

    def work() -> None:
        started = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
        found = game.solve(optimal="resident")
        box["seconds"] = time.perf_counter() - started
        box["pairs"] = [(r.name, h.name) for h, held in found.items() for r in held]

    sys.setrecursionlimit(10**6)
    threading.stack_size(512 * 1024 * 1024)
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return {"seconds": box["seconds"], "digest": _digest(box["pairs"]), "rss_mb": _rss_mb()}


def max_stable(path: str, limit: str) -> dict:
    """CP-SAT max-stable with the instance's constraints."""
    from solver import Problem, jsonio, solve
    from solver.cap_hint import constrained_proposals
    from solver.tiebreak import break_ties

    problem = Problem.from_dict(jsonio.load_path(path))
    started = time.perf_counter()
    solution = solve(problem, mode="max-stable", time_limit_s=float(limit), explain=False)
    seconds = time.perf_counter() - started
    da = constrained_proposals(break_ties(problem, 0))  # the cap-aware DA warm start
    return {
        "status": solution.status,
        "matched": solution.stats["matched"],
        "da_matched": sum(p >= 0 for p in da),
        "bound": solution.solver.get("bound"),
        "gap": None if solution.solver.get("gap") is None else round(solution.solver["gap"], 4),
        "blocking": len(solution.blocking_pairs),
        "seconds": seconds,
        "rss_mb": _rss_mb(),
        "phases": ", ".join(f"{ph['name']} {ph['status']}" for ph in solution.solver.get("phases", [])),
    }


def cli(path: str, explain: str, repeats: str) -> dict:
    """``python -m solver solve`` exactly as a user runs it (its defaults): the best and worst
    wall and CPU (user + sys) time of ``repeats`` runs, and the largest peak RSS of them."""
    import os
    import subprocess

    command = [sys.executable, "-m", "solver", "solve", path, "--out", str(Path(path).with_suffix(".cli.json"))] + (
        [] if explain == "1" else ["--no-explain"]
    )
    walls, cpus = [], []
    for _ in range(int(repeats)):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, env=dict(os.environ))
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = Path(path).with_suffix(".cli.json").stat().st_size / 1e6
    return {
        "wall": min(walls),
        "wall_max": max(walls),
        "cpu": min(cpus),
        "cpu_max": max(cpus),
        "rss_mb": peak,
        "result_mb": size,
    }


def max_stable_plain(path: str, limit: str) -> dict:
    """Our max-stable on an instance without side constraints, as ``solve`` runs it."""
    from solver import Problem, jsonio, solve

    problem = Problem.from_dict(jsonio.load_path(path))
    started = time.perf_counter()
    solution = solve(problem, mode="max-stable", time_limit_s=float(limit), explain=False)
    info = solution.solver
    phases = {ph["name"]: ph for ph in info.get("phases", [])}
    return {
        "status": solution.status,
        "placed": solution.stats["matched"],
        "bound": info.get("bound"),
        "gap": info.get("gap"),
        "placements_status": phases.get("placements", {}).get("status"),
        "placements_s": phases.get("placements", {}).get("wall_time_s"),
        "variables": info.get("variables"),
        "constraints": info.get("constraints"),
        "pairs": info.get("pairs"),
        "seconds": time.perf_counter() - started,
        "rss_mb": _rss_mb(),
    }


def reference(path: str, limit: str) -> dict:
    """The plain clause model of benchmarks/solver_bench_reference.py."""
    import json

    from solver_bench_reference import solve_reference

    result = solve_reference(json.loads(Path(path).read_text()), float(limit))
    return {**result, "rss_mb": _rss_mb()}


def run_case(name: str, *args: str) -> dict:
    """Dispatch a case by name."""
    return {
        "stable": stable,
        "matching": matching,
        "max-stable": max_stable,
        "cli": cli,
        "max-stable-plain": max_stable_plain,
        "reference": reference,
    }[name](*args)
