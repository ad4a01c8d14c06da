"""EAN location numbers, their EDI message types, and "who can receive type T".

Senders are told to use units with their *own* location number that accept the
message type (seed 004), so recipients report own and inherited EANs apart.
The EDI map keeps no history (docs/FORMATS.md, "Tables without real history"):
rows without dates count as valid on every day, rows with a past ToDate as ended.
Which unit's EAN a unit has (own or inherited) is the provenance engine's answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from . import provenance
from .asof import Snapshot, day_number, snapshot
from .dates import table_days, valid_on
from .register import Store


def _valid(df: pd.DataFrame, day: int) -> np.ndarray:
    """Rows of a table valid on `day` (a missing date column counts as open)."""
    fr, to = table_days(df)
    return valid_on(fr, to, day)


def _text(v: object) -> str | None:
    return None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)


def has_edi_map(reg: Store) -> bool:
    """Whether the file has an EDI map: LocationsCodeEDITypeMap with its EAN and EdiId
    columns (the XML and the daily file have none)."""
    df = reg.tables.get("LocationsCodeEDITypeMap")
    return df is not None and "EanLocationCode" in df.columns and "EdiId" in df.columns


def edi_map(reg: Store) -> pd.DataFrame | None:
    """LocationsCodeEDITypeMap with trimmed EAN and EdiId text, or None when absent."""

    def make() -> pd.DataFrame | None:
        if not has_edi_map(reg):
            return None
        df = reg.tables["LocationsCodeEDITypeMap"].copy()
        df["EanLocationCode"] = df["EanLocationCode"].astype("string[pyarrow]").str.strip()
        df["EdiId"] = df["EdiId"].astype("string[pyarrow]").str.strip()
        return df

    result: pd.DataFrame | None = reg.cache("edi_map", make)
    return result


def edi_rows_at(reg: Store, day: dt.date | int) -> pd.DataFrame | None:
    """The rows of the EDI map (`edi_map`) valid at the day; None when the file has no
    EDI map."""
    m = edi_map(reg)
    if m is None:
        return None
    return m.loc[_valid(m, day_number(day))]


def edi_types(reg: Store) -> list[dict[str, Any]]:
    """Every EDI type the file knows (EDITypes, else those used in the map), by name."""
    seen: dict[str, dict[str, Any]] = {}
    df = reg.tables.get("EDITypes")
    if df is not None and "EdiId" in df.columns:
        for rec in df.to_dict("records"):
            eid = _text(rec.get("EdiId"))
            if eid:
                seen[eid.strip()] = _type_record(rec, name_col="EdiFactNavn")
    m = edi_map(reg)
    if m is not None:
        for rec in m.drop_duplicates("EdiId").to_dict("records"):
            eid = _text(rec.get("EdiId"))
            if eid and eid not in seen:
                seen[eid] = _type_record(rec, name_col="EdifactName")
    return sorted(seen.values(), key=lambda t: ((t["name"] or "").lower(), t["edi_id"]))


def known_edi_ids(reg: Store) -> set[str]:
    """Every EdiId the file mentions, in the EDI map or in EDITypes (trimmed text)."""

    def make() -> set[str]:
        ids: set[str] = set()
        m = edi_map(reg)
        if m is not None:
            ids.update(str(v) for v in m["EdiId"].dropna().unique())
        df = reg.tables.get("EDITypes")
        if df is not None and "EdiId" in df.columns:
            col = df["EdiId"].astype("string[pyarrow]").str.strip().dropna()
            ids.update(str(v) for v in col.unique())
        ids.discard("")
        return ids

    result: set[str] = reg.cache("edi_ids", make)
    return result


def _type_record(rec: dict[str, Any], name_col: str) -> dict[str, Any]:
    return {
        "edi_id": (_text(rec.get("EdiId")) or "").strip(),
        "name": _text(rec.get(name_col)) or _text(rec.get("EdifactName")),
        "envelope": _text(rec.get("EnvelopeType")),
        "version": _text(rec.get("EdifactVersion")) or _text(rec.get("EdiFactVersion")),
        "direction": _text(rec.get("Direction")),
        "type_name": _text(rec.get("TypeName")),
        "message_type": _text(rec.get("EdiMessageTypeName")) or _text(rec.get("MessageTypeName")),
    }


def ean_edi_types(reg: Store, ean: str, day: dt.date) -> list[dict[str, Any]]:
    """The EDI message types location number `ean` accepts at the day."""
    m = edi_map(reg)
    if m is None:
        return []
    sel = (m["EanLocationCode"] == ean.strip()).fillna(False).to_numpy(dtype=bool)
    sub = m.loc[sel]
    sub = sub.loc[_valid(sub, day_number(day))]
    out = [_type_record(rec, name_col="EdifactName") for rec in sub.to_dict("records")]
    return sorted(out, key=lambda t: ((t["name"] or "").lower(), t["edi_id"]))


def ean_details(reg: Store, ean: str, day: dt.date) -> dict[str, str | None] | None:
    """The LocationsCode row of `ean` valid at the day (or its latest), or None."""
    df = reg.tables.get("LocationsCode")
    if df is None or "EanLocationCode" not in df.columns:
        return None
    sub = df.loc[
        (df["EanLocationCode"].astype("string[pyarrow]").str.strip() == ean)
        .fillna(False)
        .to_numpy(bool)
    ]
    if not len(sub):
        return None
    ok = _valid(sub, day_number(day))
    rec = sub.loc[ok].iloc[-1] if ok.any() else sub.iloc[-1]
    return {str(k): _text(v) for k, v in rec.items()}


def ean_sources(reg: Store, snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Per entity at the snapshot's day: (entity index holding its EAN location number
    or -1, whether that is its own). Units not in life on the day get (-1, False)."""
    prov = provenance.living(reg, snap.day)
    living = snap.active_entities()
    nodes = prov.node_of(living)
    group = prov.group("ean_location_code")
    src = np.full(len(reg.ids), -1, dtype=np.int64)
    own = np.zeros(len(reg.ids), dtype=bool)
    src[living] = group.holder[nodes]
    own[living] = group.state[nodes] == provenance.OWN
    return src, own


def recipients(
    reg: Store, under: int | str, edi_id: str, day: dt.date
) -> list[dict[str, Any]] | None:
    """Units under `under` (itself included) that can receive EDI type `edi_id` at the day.

    Returns the `edi` CLI document `[{"sor_id", "ean", "ean_state"}]` sorted with own
    EANs first, then by name; None when `under` is unknown in the whole file.
    """
    e = reg.entity_index(under)
    if e < 0:
        return None
    snap = snapshot(reg, day)
    if not snap.present[e]:
        return []
    m = edi_map(reg)
    if m is None:
        return []
    # a row with an empty EdiId compares as NA, which is not a row of this type
    sel = (m["EdiId"] == str(edi_id).strip()).fillna(False).to_numpy(dtype=bool)
    sub = m.loc[sel]
    sub = sub.loc[_valid(sub, snap.day)]
    accepting = set(sub["EanLocationCode"].dropna().tolist())
    if not accepting:
        return []
    src, own = ean_sources(reg, snap)
    ents = snap.subtree(e)
    ents = ents[src[ents] >= 0]
    holder_rows = snap.row_of[src[ents]]
    eans = (
        reg.series("EanLocationCode", holder_rows).str.strip().to_numpy(dtype=object, na_value=None)
    )
    ok = np.array([x in accepting for x in eans], dtype=bool)
    ents, eans = ents[ok], eans[ok]
    order = np.lexsort((snap.rank[ents], ~own[ents]))
    return [
        {
            "sor_id": str(reg.ids[ents[i]]),
            "ean": str(eans[i]),
            "ean_state": "own" if own[ents[i]] else "inherited",
        }
        for i in order
    ]
