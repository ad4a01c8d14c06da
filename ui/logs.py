"""The application's log: one rotating file in the user's log folder.

`setup_logging()` configures the root logger once at start-up: INFO and above go
to `sorviewer.log` in the user log folder (platformdirs, `ui.settings.log_dir()`),
rotated at `MAX_BYTES` with `BACKUPS` old files kept; errors also go to stderr
when there is one (a windowed frozen build has none; warnings stay in the file, so
the smoke test's one line on stderr stays one line). Every module logs through
`logging.getLogger(__name__)`. An internal error is logged with its traceback, and
the error dialog names `log_file()`.

The crash log (`crash.log`, faulthandler's output when the interpreter itself dies)
sits beside it: faulthandler writes raw to an open file, not through logging.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import tempfile

LOG_NAME = "sorviewer.log"
CRASH_NAME = "crash.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

_log_file = ""


def log_folder() -> str:
    """The user's log folder, made if needed; the temp folder when that fails."""
    from ui.settings import log_dir

    try:
        folder = log_dir()
        os.makedirs(folder, exist_ok=True)
        return folder
    except OSError:
        folder = os.path.join(tempfile.gettempdir(), "sorviewer")
        os.makedirs(folder, exist_ok=True)
        return folder


def log_file() -> str:
    """The file the log goes to ("" until `setup_logging` ran, or when it failed)."""
    return _log_file


def crash_log_path() -> str:
    return os.path.join(log_folder(), CRASH_NAME)


def setup_logging(folder: str | None = None, level: int = logging.INFO) -> str:
    """Configure the root logger (once); the log file's path, "" when it cannot be
    written (the program then logs to stderr only)."""
    global _log_file
    root = logging.getLogger()
    if _log_file and any(getattr(h, "_sorviewer", False) for h in root.handlers):
        return _log_file
    root.setLevel(level)
    formatter = logging.Formatter(FORMAT)
    try:
        if folder:
            os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder or log_folder(), LOG_NAME)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
        _log_file = path
    except OSError:
        handler = logging.NullHandler()
        _log_file = ""
    handler.setFormatter(formatter)
    handler._sorviewer = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.ERROR)
        console.setFormatter(formatter)
        console._sorviewer = True  # type: ignore[attr-defined]
        root.addHandler(console)
    return _log_file


def teardown_logging() -> None:
    """Remove what `setup_logging` added (tests)."""
    global _log_file
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_sorviewer", False):
            root.removeHandler(handler)
            handler.close()
    _log_file = ""
