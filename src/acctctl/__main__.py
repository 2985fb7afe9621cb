"""`acctctl` and `python -m acctctl`."""

from __future__ import annotations

import sys


def main() -> None:
    from acctctl.cli.app import main as run

    sys.exit(run())


if __name__ == "__main__":
    main()
