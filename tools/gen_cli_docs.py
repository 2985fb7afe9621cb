"""Write docs/cli.md from the program itself (Typer's `utils docs` generator).

`tests/test_docs.py` fails when the checked-in file differs: run this script after
changing a command, an option or a help text.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def reference() -> str:
    import typer
    from typer.cli import get_docs_for_click

    from acctctl.cli.app import app

    command = typer.main.get_command(app)
    ctx = typer.Context(command)
    text = get_docs_for_click(
        obj=command, ctx=ctx, name="acctctl", title="acctctl command reference"
    )
    return text.strip() + "\n"


if __name__ == "__main__":
    DOCS.write_text(reference(), encoding="utf-8")
    sys.stderr.write(f"wrote {DOCS}\n")
