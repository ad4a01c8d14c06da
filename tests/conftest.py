"""Test-wide settings: headless Qt, and user folders redirected to a temp dir."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# Without a display Qt aborts; every test run is offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Settings, cache and logs (platformdirs follows the XDG variables on Linux) go to a
# temp folder, for this process and every program a test starts: a test run never
# touches the user's own recent files or register cache.
_USER_DIRS = tempfile.mkdtemp(prefix="sorviewer-tests-")
atexit.register(shutil.rmtree, _USER_DIRS, ignore_errors=True)
for _var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_var] = os.path.join(_USER_DIRS, _var.lower())

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLES = ROOT.parent / "shared" / "samples"
