"""Max-stable within the user's time limit: how the phases share it, and honest gaps."""

from __future__ import annotations

from solver import Problem, generate, solve


def _spy_limits(monkeypatch, deterministic=None):
    """Record the time limit of each CP-SAT phase (optionally cap its deterministic time)."""
    import solver.cpsat as cpsat

    limits: list[float] = []
    real = cpsat._solver

    def recording(seed, time_limit_s):
        limits.append(time_limit_s)
        made = real(seed, time_limit_s)
        if deterministic is not None:
            made.parameters.max_deterministic_time = deterministic
        return made

    monkeypatch.setattr(cpsat, "_solver", recording)
    return limits


def test_the_rank_sum_phase_gets_the_time_the_placements_phase_left(monkeypatch):
    limits = _spy_limits(monkeypatch)
    problem = Problem.from_dict(generate(students=60, positions=15, tie_prob=0.3, seed=2))

    solution = solve(problem, mode="max-stable", time_limit_s=20)

    names = [phase["name"] for phase in solution.solver["phases"]]
    assert names == ["placements", "student-rank-sum"] and solution.status == "optimal"
    # placements is given 85% of the time, proves its optimum early, and rank-sum gets the rest
    assert solution.solver["phases"][0]["wall_time_s"] < 0.5 * limits[0]
    assert limits[1] > limits[0]


def _solve_cut_short(monkeypatch, students, deterministic):
    """Max-stable with CP-SAT stopped after ``deterministic`` units of its deterministic time."""
    _spy_limits(monkeypatch, deterministic=deterministic)
    problem = Problem.from_dict(generate(students=students, positions=students // 4, tie_prob=0.3, seed=1))
    solution = solve(problem, mode="max-stable", time_limit_s=20, explain=False)
    return solution, solution.solver, solution.stats["matched"]


def test_an_unproven_answer_reports_its_bound_and_gap(monkeypatch):
    solution, info, placed = _solve_cut_short(monkeypatch, 2000, 0.1)

    assert solution.status == "feasible" and info["phases"][0]["status"] == "feasible"
    assert info["objective"] == placed and info["bound"] > placed
    assert info["gap"] == (info["bound"] - placed) / placed
    assert solution.blocking_pairs == []


def test_without_any_answer_in_time_the_warm_start_is_kept_with_the_flow_bound(monkeypatch):
    solution, info, placed = _solve_cut_short(monkeypatch, 400, 0.0)

    assert solution.status == "feasible" and info["phases"][0]["status"] == "unknown"
    assert solution.blocking_pairs == [] and info["objective"] == placed
    assert info["bound"] >= placed and info["gap"] == (info["bound"] - placed) / placed
    assert info["bound_source"] == "max-flow ignoring stability and side constraints"
