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
    import gc

    # Importing Typer and the application creates objects that all live until exit (modules,
    # classes, functions): the cycle collector would walk them ~30 times for nothing, 3 ms
    # of a start-up. Once imported they are set aside for good (gc.freeze: never walked
    # again), and the collector runs as usual on what the command creates.
    gc.disable()
    try:
        from acctctl.cli.app import main as run
    finally:
        gc.freeze()
        gc.enable()
    sys.exit(run())


if __name__ == "__main__":
    main()
