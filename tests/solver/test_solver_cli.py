"""The command line: generate -> solve -> check round trip, exit codes, errors."""

from __future__ import annotations

import json

import pytest


def test_generate_solve_check_round_trip(run_cli, tmp_path):
    instance, result = tmp_path / "i.json", tmp_path / "r.json"

    generated = run_cli(
        "generate", "--students", "60", "--tie-prob", "0.2", "--colleges", "3", "--seed", "5", "--out", str(instance)
    )
    solved = run_cli("solve", str(instance), "--mode", "stable", "--seed", "2", "--out", str(result))
    checked = run_cli("check", str(instance), str(result))

    assert (generated.returncode, solved.returncode, checked.returncode) == (0, 0, 0)
    data = json.loads(result.read_text())
    assert data["stats"]["students"] == 60
    assert data["tie_break"]["seed"] == 2
    assert "feasible: yes; blocking pairs: 0; mode: stable" in checked.stdout


def test_generate_is_deterministic_by_seed(run_cli):
    first = run_cli("generate", "--students", "30", "--seed", "9")
    again = run_cli("generate", "--students", "30", "--seed", "9")
    other = run_cli("generate", "--students", "30", "--seed", "10")

    assert first.stdout == again.stdout != other.stdout
    assert len(json.loads(first.stdout)["students"]) == 30


@pytest.mark.parametrize("mode", ["stable-hosts", "max-stable", "welfare"])
def test_solve_prints_to_stdout_in_every_mode(run_cli, write_json, mode):
    instance = write_json(
        "i.json",
        {"students": [{"id": "s1", "prefs": ["p1"]}], "positions": [{"id": "p1", "capacity": 1, "prefs": ["s1"]}]},
    )

    solved = run_cli("solve", instance, "--mode", mode, "--time-limit", "5")

    assert solved.returncode == 0
    assert json.loads(solved.stdout)["assignments"][0]["position"] == "p1"


def test_check_exits_1_on_an_infeasible_result(run_cli, write_json):
    instance = write_json(
        "i.json", {"students": [{"id": "s1", "prefs": ["p1"]}], "positions": [{"id": "p1", "capacity": 1, "prefs": []}]}
    )
    result = write_json("r.json", {"assignments": [{"student": "s1", "position": "p1"}], "solver": {"mode": "stable"}})

    checked = run_cli("check", instance, result)

    assert checked.returncode == 1
    assert "violation: pair ('s1', 'p1') is not acceptable" in checked.stdout


def test_check_exits_3_on_undeclared_blocking_pairs_in_a_stable_mode(run_cli, write_json):
    instance = write_json(
        "i.json",
        {"students": [{"id": "s1", "prefs": ["p1"]}], "positions": [{"id": "p1", "capacity": 1, "prefs": ["s1"]}]},
    )
    stable = write_json("r.json", {"assignments": [], "solver": {"mode": "stable"}})
    welfare = write_json("w.json", {"assignments": [], "solver": {"mode": "welfare"}})

    claimed = run_cli("check", instance, stable)
    informative = run_cli("check", instance, welfare)

    assert claimed.returncode == 3
    assert "blocking pair: s1 p1" in claimed.stdout
    assert informative.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "missing.json"], "error: missing.json: cannot read file"),
        (["solve", "{bad}"], "unknown position 'p9'"),
        (["solve", "{notjson}"], "not valid JSON"),
        (["solve", "{caps}"], "cannot honour college_cap"),
        (["solve", "{bad}", "--mode", "fast"], "invalid choice: 'fast'"),
        (["check", "{caps}", "{notjson}"], "not valid JSON"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(run_cli, write_json, tmp_path, args, message):
    files = {
        "{bad}": write_json("bad.json", {"students": [{"id": "s1", "prefs": ["p9"]}], "positions": []}),
        "{caps}": write_json(
            "caps.json", {"students": [], "positions": [], "constraints": {"college_cap": {"per": "host", "max": 1}}}
        ),
        "{notjson}": str(tmp_path / "broken.json"),
    }
    (tmp_path / "broken.json").write_text("{not json")

    done = run_cli(*[files.get(arg, arg) for arg in args])

    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
