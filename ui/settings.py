"""Every persistent setting declared once, with its type and default.

Settings live in an INI file (QSettings IniFormat) in the user's config folder as
platformdirs names it (the same place on every Qt version and in the frozen app);
tests pass their own file path. Read a value with `settings.get(KEY)` and write it
with `settings.set(KEY, value)`; an unknown key is a programming error.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

ORGANISATION = "SOR Viewer"
APPLICATION = "sorviewer"
MAX_RECENT = 10


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any


RECENT_FILES = Setting("files/recent", list, [])
LAST_DIR = Setting("files/last_dir", str, "")
GEOMETRY = Setting("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Setting("window/state", QByteArray, QByteArray())
#: objectName of the dock whose tab was in front (restoreState alone loses it: the
#: docks are hidden for the start page and shown again when a file opens)
FRONT_DOCK = Setting("window/front_dock", str, "")
#: the splitter between the search results and the tree
SPLITTER = Setting("window/splitter", QByteArray, QByteArray())
TREE_HEADER = Setting("window/tree_header", QByteArray, QByteArray())
REPORT_HEADER = Setting("window/report_header", QByteArray, QByteArray())
LANGUAGE = Setting("view/language", str, "da")
SHOW_CLOSED = Setting("view/show_closed", bool, False)
#: "today", "snapshot" or "last" (reopen at the last date that was looked at)
AS_OF_CHOICE = Setting("view/as_of_choice", str, "today")
LAST_AS_OF = Setting("view/last_as_of", str, "")
#: the tree's top level grouped by owner type: "auto" (when there are many roots),
#: "on" or "off" (ui.models.tree_model.GROUP_MODES)
GROUP_TOP = Setting("view/group_top", str, "auto")
#: the Units view: its columns (in order), saved filters (JSON: name -> filter and
#: columns, ui.units_filters), the splitter between its filters and its table
UNITS_COLUMNS = Setting("units/columns", list, [])
UNITS_SAVED = Setting("units/saved_filters", str, "")
UNITS_SPLITTER = Setting("units/splitter", QByteArray, QByteArray())
#: which central view was in front: "tree" or "units"
CENTRAL_VIEW = Setting("window/central_view", str, "tree")
#: the export dialog starts where the last export went, in its format ("" = not yet:
#: the folder of the opened file, the first format)
EXPORT_DIR = Setting("export/last_dir", str, "")
EXPORT_FORMAT = Setting("export/format", str, "")
#: the load cache's bound on disk, in MB (sorviewer.cache: least recently used first)
CACHE_LIMIT_MB = Setting("cache/limit_mb", int, 2000)

#: "since last time" (ui.comparison): whether to remember, and per kind of file the
#: last download opened (JSON: kind -> path, snapshot date, cache key)
REMEMBER_DOWNLOADS = Setting("since/remember", bool, True)
LAST_DOWNLOADS = Setting("since/downloads", str, "")
#: followed units (JSON: SorId -> whether its subtree is followed too)
FOLLOWED = Setting("follow/units", str, "")

ALL: tuple[Setting, ...] = (
    RECENT_FILES,
    LAST_DIR,
    GEOMETRY,
    WINDOW_STATE,
    FRONT_DOCK,
    SPLITTER,
    TREE_HEADER,
    REPORT_HEADER,
    LANGUAGE,
    SHOW_CLOSED,
    AS_OF_CHOICE,
    LAST_AS_OF,
    GROUP_TOP,
    UNITS_COLUMNS,
    UNITS_SAVED,
    UNITS_SPLITTER,
    CENTRAL_VIEW,
    EXPORT_DIR,
    EXPORT_FORMAT,
    REMEMBER_DOWNLOADS,
    LAST_DOWNLOADS,
    FOLLOWED,
    CACHE_LIMIT_MB,
)


def default_path() -> str:
    """The settings file in the user's config folder (not created until written)."""
    import platformdirs

    folder = platformdirs.user_config_dir(APPLICATION, appauthor=False)
    return os.path.join(folder, f"{APPLICATION}.ini")


def log_dir() -> str:
    """The user's log folder for crash reports (created on demand)."""
    import platformdirs

    return str(platformdirs.user_log_dir(APPLICATION, appauthor=False))


class Settings:
    """Typed access to the one settings file."""

    def __init__(self, path: str | None = None) -> None:
        self._qs = QSettings(os.fspath(path or default_path()), QSettings.Format.IniFormat)

    @property
    def path(self) -> str:
        return self._qs.fileName()

    def get(self, setting: Setting) -> Any:
        if setting not in ALL:
            raise KeyError(setting.key)
        if not self._qs.contains(setting.key):
            default = setting.default
            return list(default) if isinstance(default, list) else default
        if setting.type is list:
            value = self._qs.value(setting.key, [])
            # QSettings gives a str for a one-element list and None for an empty one
            if value is None:
                return []
            if isinstance(value, str):
                return [value]
            return [str(v) for v in value] if isinstance(value, (list, tuple)) else []
        try:
            return self._qs.value(setting.key, setting.default, type=setting.type)
        except (TypeError, ValueError):
            return setting.default

    def set(self, setting: Setting, value: Any) -> None:
        if setting not in ALL:
            raise KeyError(setting.key)
        self._qs.setValue(setting.key, value)

    def sync(self) -> None:
        self._qs.sync()

    # --- recent files ---------------------------------------------------------------

    def recent_files(self) -> list[str]:
        return [p for p in self.get(RECENT_FILES) if p]

    def add_recent(self, path: str) -> list[str]:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent_files() if p != path]
        files = files[:MAX_RECENT]
        self.set(RECENT_FILES, files)
        return files

    def remove_recent(self, path: str) -> list[str]:
        files = [p for p in self.recent_files() if p != path]
        self.set(RECENT_FILES, files)
        return files


def json_object(text: str, what: str) -> dict[str, Any]:
    """A JSON object kept as a setting's text (saved filters, remembered downloads,
    followed units): {} when the text is empty, and {} with a line in the log when it
    is not a JSON object (an older or hand-edited setting costs its contents, never
    the start-up)."""
    if not text:
        return {}
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        log.warning("the setting of %s could not be read; it is ignored", what)
        return {}
    return doc
