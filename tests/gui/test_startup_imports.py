"""The window starts without pandas and pyarrow: they cost about a second to import,
and the window is shown before a register needs them (the loader imports them on its
worker). A module-level import of a query module in the window's import chain would
bring them back; this test names the chain that did it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import ui.main_window
heavy = sorted(m for m in ("pandas", "pyarrow") if m in sys.modules)
print(",".join(heavy))
"""


def test_importing_the_window_does_not_import_pandas_or_pyarrow() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"
