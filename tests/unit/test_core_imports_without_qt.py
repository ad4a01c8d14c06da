"""The core must import and work with PySide6 made unimportable (docs/ARCHITECTURE.md;
`lint-imports` checks the same statically)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT


def test_sorviewer_imports_with_pyside6_blocked() -> None:
    code = textwrap.dedent(
        """
        import sys, importlib, pkgutil
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "ui"):
                    raise ImportError("blocked for this test: " + name)
                return None
        sys.meta_path.insert(0, Block())
        import sorviewer
        for mod in pkgutil.walk_packages(sorviewer.__path__, "sorviewer."):
            importlib.import_module(mod.name)
        assert not any(m.startswith(("PySide6", "shiboken6", "pyqtgraph")) for m in sys.modules)
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")
