"""Test-wide settings: headless Qt, and user folders redirected to a temp dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Without a display Qt aborts; every test run is offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLES = ROOT.parent / "shared" / "samples"
