"""The Units view's filters as plain data: saved under a name in the settings registry.

Coordinators repeat the same extraction every month, so a saved filter holds what
the extraction is: the `sorviewer.find.Filters` and the columns chosen. It is kept as
JSON in one setting (`ui.settings.UNITS_SAVED`: name -> {"filters": ..., "columns":
[...]}); reading is forgiving (an unknown key, a value of the wrong type or a file
edited by hand drops that part, never the whole list), because a settings file
outlives program versions.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from sorviewer.find import Filters, Where
from ui import settings as st


def filters_to_dict(f: Filters) -> dict[str, Any]:
    """The filters as JSON-ready data (only what narrows anything, plus the status)."""
    out: dict[str, Any] = {}
    for fld in fields(f):
        value = getattr(f, fld.name)
        if fld.name == "where":
            if value:
                out["where"] = [
                    {"column": w.column, "op": w.op, "values": list(w.values)} for w in value
                ]
        elif isinstance(value, tuple):
            if value or fld.name == "status":
                out[fld.name] = list(value)
        elif value:
            out[fld.name] = value
    return out


def filters_from_dict(data: Any) -> Filters:
    """`Filters` from `filters_to_dict` data; what cannot be read is left out."""
    if not isinstance(data, dict):
        return Filters()
    kwargs: dict[str, Any] = {}
    for fld in fields(Filters):
        if fld.name not in data:
            continue
        value = data[fld.name]
        if fld.name == "where":
            wheres = []
            for w in value if isinstance(value, list) else []:
                if (
                    isinstance(w, dict)
                    and isinstance(w.get("column"), str)
                    and w.get("op") in ("=", "~")
                    and isinstance(w.get("values"), list)
                ):
                    wheres.append(Where(w["column"], w["op"], tuple(str(v) for v in w["values"])))
            kwargs["where"] = tuple(wheres)
        elif fld.name == "text":
            kwargs["text"] = value if isinstance(value, str) else ""
        elif fld.name == "shak_direct":
            kwargs["shak_direct"] = bool(value)
        elif isinstance(value, list):
            kwargs[fld.name] = tuple(str(v) for v in value if isinstance(v, (str, int)))
    return Filters(**kwargs)


def load_saved(settings: st.Settings) -> dict[str, dict[str, Any]]:
    """The saved filters by name: {"filters": Filters, "columns": [str, ...]}."""
    raw = st.json_object(settings.get(st.UNITS_SAVED), "the saved Units filters")
    out: dict[str, dict[str, Any]] = {}
    for name, entry in raw.items():
        if not isinstance(name, str) or not name.strip() or not isinstance(entry, dict):
            continue
        columns = entry.get("columns")
        out[name] = {
            "filters": filters_from_dict(entry.get("filters")),
            "columns": [str(c) for c in columns] if isinstance(columns, list) else [],
        }
    return out


def store_saved(settings: st.Settings, saved: dict[str, dict[str, Any]]) -> None:
    """Write the saved filters (the whole list; it is small)."""
    data = {
        name: {"filters": filters_to_dict(entry["filters"]), "columns": list(entry["columns"])}
        for name, entry in sorted(saved.items(), key=lambda kv: kv[0].lower())
    }
    settings.set(st.UNITS_SAVED, json.dumps(data, ensure_ascii=False))
    settings.sync()
