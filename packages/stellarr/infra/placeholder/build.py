"""Write lambda.zip, the placeholder package the functions are created from, out of
stellarr/lambda_handler.py beside this file. Byte for byte the same on every machine (fixed
dates and modes, stored uncompressed), so the committed zip can be checked against it:

    python3 packages/stellarr/infra/placeholder/build.py [--out lambda.zip]
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = "stellarr/lambda_handler.py"


def build(out: Path) -> None:
    info = zipfile.ZipInfo(SOURCE, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(info, (HERE / SOURCE).read_bytes())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "lambda.zip")
    build(parser.parse_args().out)
