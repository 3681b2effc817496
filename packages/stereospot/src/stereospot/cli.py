"""Command line: every module in stereospot.commands adds its own subcommand.

Each of those modules defines `register(subparsers)`, which adds a parser and sets
`handler` to a function taking the parsed arguments and returning an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Sequence

from stereospot import commands


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="stereospot", description="2D video to stereo 3D")
    subparsers = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.handler(args)
    return code
