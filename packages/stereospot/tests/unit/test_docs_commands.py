"""Every StereoSpot command the docs show exists, with every flag they give it; every `make`
target they name is in the Makefile, and every `BENCH=` and bench script is in bench/.
A review found docs showing `--depth onnx --model` when neither flag existed."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from stereospot.cli import parser

PACKAGE = Path(__file__).resolve().parents[2]
ROOT = PACKAGE.parents[1]
DOCS = [PACKAGE / "README.md", *sorted((PACKAGE / "docs").glob("*.md"))]
# Inline code and lines of fenced blocks: where a reader copies a command from.
INLINE = re.compile(r"`([^`\n]+)`")
# A table cell escapes `|` as `\|`: that one belongs to the command.
COMMAND = re.compile(r"stereospot ((?:models |ops )?[a-z][a-z-]*)((?:\\\||[^`|\n])*)")
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
MAKE = re.compile(r"(?:^|[;&|] *)make ([a-z][a-z0-9-]*)")
BENCH = re.compile(r"BENCH=([a-z_]+)|bench/([a-z_]+)\.py")


def snippets(path: Path) -> list[str]:
    text = path.read_text()
    found = INLINE.findall(text)
    fenced = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    found += [line for block in fenced for line in block.splitlines()]
    return found


def subcommands(cli: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in cli._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_parser(name: str) -> argparse.ArgumentParser | None:
    words = name.split()
    current: argparse.ArgumentParser | None = parser()
    for word in words:
        current = subcommands(current).get(word) if current else None
    return current


def flags_of(cli: argparse.ArgumentParser) -> set[str]:
    return {option for action in cli._actions for option in action.option_strings}


def shown_commands() -> list[tuple[str, str, str]]:
    """(doc, command, flags text) for each `stereospot COMMAND ...` the docs show."""
    shown = []
    for doc in DOCS:
        for snippet in snippets(doc):
            for match in COMMAND.finditer(snippet):
                name, rest = match.groups()
                if name.endswith(":"):
                    continue
                shown.append((doc.name, name, rest))
    return shown


def test_the_docs_show_commands_at_all() -> None:
    names = {name for _, name, _ in shown_commands()}
    assert {"convert", "serve", "models fetch", "models verify"} <= names


@pytest.mark.parametrize(("doc", "name", "rest"), shown_commands())
def test_each_command_and_flag_the_docs_show_exists(doc: str, name: str, rest: str) -> None:
    words = name.split()
    cli = command_parser(name)
    if cli is None and len(words) == 2:  # "models" then an argument, not an action
        cli = command_parser(words[0])
    assert cli is not None, f"{doc}: `stereospot {name}` is no command"
    unknown = set(FLAG.findall(rest)) - flags_of(cli)
    assert not unknown, f"{doc}: `stereospot {name}` has no {sorted(unknown)}"


def test_make_targets_and_benches_the_docs_name_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, flags=re.M))
    benches = {p.stem for p in (PACKAGE / "bench").glob("*.py")}
    missing = []
    for doc in [*DOCS, ROOT / "README.md"]:
        for snippet in snippets(doc):
            missing += [f"{doc.name}: make {t}" for t in MAKE.findall(snippet) if t not in targets]
            for a, b in BENCH.findall(snippet):
                if (a or b) not in benches and "stereospot" in snippet:
                    missing.append(f"{doc.name}: bench {a or b}")
    assert missing == []
