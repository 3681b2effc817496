from __future__ import annotations

import argparse
from typing import Any

from stereospot import __version__


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser("version", help="print the version")
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(f"stereospot {__version__}")
    return 0
