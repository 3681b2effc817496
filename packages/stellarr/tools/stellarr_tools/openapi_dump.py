"""Write Stellarr's OpenAPI schema as JSON, for the web app's generated types.

    .venv/bin/python -m stellarr_tools.openapi_dump [OUT.json]      (stdout without OUT)

The app is built exactly as `stellarr serve` builds it, from placeholder settings, and asked
for `.openapi()`: no server, no network, no database opened. `make api-types` turns the
JSON into packages/stellarr/web/src/lib/api/schema.d.ts with openapi-typescript; a test
fails when that file no longer matches what this script and the generator give.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from stellarr.bootstrap import build_app
from stellarr.settings import Config, Settings, StaticSettings


def schema() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stellarr-openapi-") as data:
        # Placeholders: the schema depends on the routes, never on secrets or a database.
        env = {
            "APP_SECRET_KEY": "openapi-dump-" + "x" * 40,
            "PRESHARED_PASSWORD": "openapi-dump-password",
            "DATABASE_PATH": str(Path(data) / "stellarr.db"),
            "ENV_FILE": str(Path(data) / "no.env"),
        }
        app = build_app(
            Config.from_mapping(env), StaticSettings(Settings.from_mapping(env)), environ=env
        )
        return app.openapi()


def main(argv: list[str]) -> int:
    text = json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
