"""`slotwise allocate WISHES.json --seed S`: the offline repeat of an allocation, and its checker."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from solver.allocation import AllocationProblem, Person, Run, Wish
from solver.allocation.cli import allocate_command
from solver.allocation.jsonio import problem_to_json

CONTESTED = AllocationProblem(
    runs=(Run(101, 1, 3, 0, 60), Run(102, 1, 2, 120, 180), Run(201, 2, 4, 0, 60, teaches=(5,)),
          Run(301, 3, 2, 120, 180, requires=(5,))),
    wishes=tuple(Wish(p, w, rank, 2 if p == 7 and w == 2 else 1) for p in range(1, 13)
                 for rank, w in enumerate([(1, 2, 3), (2, 3, 1), (3, 1)][p % 3], start=1)) + (Wish(1, 99, 4),),
    people=(Person(4, max_workshops=1), Person(9, holds=(5,))),
)


def _write(tmp_path: Path, name: str, document) -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_the_same_seed_prints_the_same_allocation_and_another_seed_may_differ(tmp_path):
    wishes = _write(tmp_path, "wishes.json", problem_to_json(CONTESTED))
    # through the installed `slotwise` command, as an admin would run it
    command = [str(Path(sys.executable).with_name("slotwise")), "allocate", str(wishes), "--seed", "7"]
    first = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    again = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    assert first == again
    document = json.loads(first)
    assert document["seed"] == 7 and document["violations"] == []
    assert document["assignments"] and all(set(a) == {"person", "run_id", "party_size"} for a in document["assignments"])
    assert document["skipped"] == [{"person": 1, "workshop_id": 99, "reason": "the workshop has no placed run"}]
    others = {json.dumps(json.loads(CliRunner().invoke(allocate_command, [str(wishes), "--seed", str(seed)]).output)
                         ["assignments"]) for seed in range(8)}
    assert len(others) > 1


def test_compare_adds_the_baselines_figures(tmp_path):
    wishes = _write(tmp_path, "wishes.json", problem_to_json(CONTESTED))
    document = json.loads(CliRunner().invoke(allocate_command, [str(wishes), "--compare"]).output)
    assert set(document["baselines"]) == {"first_come", "emf_lottery", "serial_dictatorship"}
    assert document["baselines"]["emf_lottery"]["mean_wishes_granted"] <= 1
    assert document["figures"]["share_with_a_wish"] >= document["baselines"]["emf_lottery"]["share_with_a_wish"]


def test_check_accepts_the_allocation_printed_and_names_what_a_broken_one_breaks(tmp_path):
    wishes = _write(tmp_path, "wishes.json", problem_to_json(CONTESTED))
    printed = CliRunner().invoke(allocate_command, [str(wishes), "--seed", "3"]).output
    good = CliRunner().invoke(allocate_command, [str(wishes), "--check", str(_write(tmp_path, "a.json", printed))])
    assert good.exit_code == 0 and json.loads(good.output) == {"violations": []}
    broken = json.loads(printed)
    broken["assignments"] += [{"person": p, "run_id": 102, "party_size": 1} for p in (3, 6, 12)]
    result = CliRunner().invoke(allocate_command, [str(wishes), "--check", str(_write(tmp_path, "b.json", broken))])
    assert result.exit_code == 1
    assert any("run 102 has" in line for line in json.loads(result.output)["violations"])


def test_bad_files_get_a_clear_message(tmp_path):
    not_json = CliRunner().invoke(allocate_command, [str(_write(tmp_path, "x.json", "{nope"))])
    assert not_json.exit_code == 1 and "is not JSON" in not_json.output
    wrong = CliRunner().invoke(allocate_command, [str(_write(tmp_path, "y.json", {"format": "slotwise-problem",
                                                                                       "version": 1}))])
    assert wrong.exit_code == 1 and "expected format 'slotwise-wishes'" in wrong.output
    document = problem_to_json(CONTESTED)
    document["wishes"][0]["rank"] = "first"
    bad_rank = CliRunner().invoke(allocate_command, [str(_write(tmp_path, "z.json", document))])
    assert bad_rank.exit_code == 1 and "wishes[0]: expected a whole number, found 'first'" in bad_rank.output
    assert "Traceback" not in bad_rank.output
