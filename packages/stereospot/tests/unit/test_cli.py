import subprocess
import sys

from stereospot import __version__
from stereospot.cli import main


def test_every_command_module_registers(capsys: object) -> None:
    assert main(["version"]) == 0


def test_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stereospot", "version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"stereospot {__version__}"
