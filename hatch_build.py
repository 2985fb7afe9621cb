"""Build hook: compile the gettext catalogs (.po → .mo) into every wheel.

The .mo files are build products, not sources (``*.mo`` is git-ignored), so each
build makes them from ``src/acctctl/locale/<lang>/LC_MESSAGES/acctctl.po`` with Babel
(a build requirement in pyproject.toml):

* a regular wheel (``pip install .``, ``python -m build``) gets them from a temporary
  folder, leaving the source tree untouched;
* an editable install (``pip install -e .``) imports the package from ``src/``, so
  they are written next to their .po there.

Fuzzy entries are left out, as gettext would; a message without a translation shows
in English.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src") / "acctctl" / "locale"
INSTALLED = "acctctl/locale"


def compile_catalog(po_path: Path, mo_path: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    language = po_path.parent.parent.name
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=po_path.stem)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    partial = mo_path.with_name(mo_path.name + ".part")
    with partial.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    partial.replace(mo_path)


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        sources = sorted((root / LOCALE).glob("*/LC_MESSAGES/*.po"))
        if version == "editable":
            for po_path in sources:
                compile_catalog(po_path, po_path.with_suffix(".mo"))
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="acctctl-mo-"))
        for po_path in sources:
            relative = po_path.relative_to(root / LOCALE).with_suffix(".mo")
            mo_path = self._scratch / relative
            compile_catalog(po_path, mo_path)
            build_data["force_include"][str(mo_path)] = f"{INSTALLED}/{relative.as_posix()}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
