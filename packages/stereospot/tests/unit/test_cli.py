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


def test_the_inference_server_listens_on_loopback_unless_told() -> None:
    from stereospot.cli import parser

    assert parser().parse_args(["inference-server"]).host == "127.0.0.1"
    assert parser().parse_args(["inference-server", "--host", "0.0.0.0"]).host == "0.0.0.0"
