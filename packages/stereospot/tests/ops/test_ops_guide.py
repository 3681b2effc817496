"""docs/aws.md walks an operator through `stereospot ops` actions in order: each one it
shows is run by a test here (against moto, real Terraform, podman or a local registry),
and the guide shows every action the command has."""

from __future__ import annotations

import re
from pathlib import Path

from stereospot.cli import parser

HERE = Path(__file__).resolve().parent
GUIDE = HERE.parents[1] / "docs" / "aws.md"


def actions_in_guide() -> set[str]:
    return set(re.findall(r"stereospot ops ([a-z][a-z-]+)", GUIDE.read_text()))


def actions_of_the_command() -> set[str]:
    ops = parser()._subparsers._group_actions[0].choices["ops"]  # type: ignore[union-attr]
    return set(ops._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_the_guide_shows_every_action() -> None:
    assert actions_in_guide() == actions_of_the_command()


def test_every_action_in_the_guide_is_run_by_a_test() -> None:
    tests = "".join(p.read_text() for p in HERE.glob("test_*.py") if p.name != Path(__file__).name)
    run = {action for action in actions_in_guide() if re.search(rf'"{action}"', tests)}
    # `build` is run through its own helper, `build(...)`, with the action in its argv.
    run |= {"build"} if '"ops", "build"' in tests else set()
    assert run == actions_in_guide()
