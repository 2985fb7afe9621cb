"""`acctctl` and `python -m acctctl`."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        # Answered before Typer is imported (40 ms): scripts and shell prompts ask it most.
        # Any other command line, `--version` among other options included, goes to Typer.
        from acctctl import __version__

        sys.stdout.write(f"acctctl {__version__}\n")
        sys.exit(0)
    from acctctl.cli.app import main as run

    sys.exit(run())


if __name__ == "__main__":
    main()
