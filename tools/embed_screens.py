"""Copy the captured wizard screens (docs/screens/*.txt) into docs/guide.md.

The guide marks each place with ``<!-- screen: step-3 -->`` … ``<!-- /screen -->``;
this script replaces what is between with the capture, as a text block. Run it after
`tools/capture_wizard.py`; `tests/test_docs.py` fails when the guide and the captures
disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
MARK = re.compile(r"(<!-- screen: ([\w-]+) -->\n).*?(<!-- /screen -->)", re.S)


def embedded(guide: str) -> str:
    def block(match: re.Match[str]) -> str:
        screen = (DOCS / "screens" / f"{match.group(2)}.txt").read_text(encoding="utf-8")
        return f"{match.group(1)}```text\n{screen.rstrip()}\n```\n{match.group(3)}"

    return MARK.sub(block, guide)


if __name__ == "__main__":
    path = DOCS / "guide.md"
    path.write_text(embedded(path.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stderr.write(f"wrote {path}\n")
