"""The shapes of the query results the window and the CLI read from the core.

Each is a `TypedDict`: at run time a plain dict (what `json.dumps` writes for the
CLI contract, see docs/ARCHITECTURE.md), for mypy a record with named, typed keys.
Keys marked `NotRequired` are extensions that are left out when they do not apply.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

State = Literal["own", "inherited", "none"]
StatusName = Literal["active", "closed", "future"]


class ProvenanceEntry(TypedDict):
    """Where one inheritable group's values come from (`show` -> `provenance`)."""

    state: State
    #: the unit that holds the value: the unit itself when own, the nearest ancestor
    #: whose group is its own when inherited; None when the state is none
    from_sor_id: str | None
    #: the holder's group when it is another one ("postal_address" for a visiting
    #: address that is the unit's postal address), else None
    from_group: str | None


class UnitView(TypedDict):
    """One unit at a date: the `show` document, and `reg.entity(sor_id, day)`."""

    sor_id: str
    name: str | None
    sor_type: str | None
    entity_type: str | None
    parent_sor_id: str | None
    status: StatusName
    valid_from: str | None
    valid_to: str | None
    first_from: str | None
    attributes: dict[str, str | None]
    provenance: dict[str, ProvenanceEntry]
    #: units that replace this one (SORReplacedEntities), ids as text, always present
    replaced_by: list[str]
    #: units this one replaces, always present
    replaces: list[str]
    #: English sentences about contradictions in the file for this unit
    problems: NotRequired[list[str]]


class HistoryEntry(TypedDict):
    """One version of a unit (`history`)."""

    valid_from: str | None
    valid_to: str | None
    changed: list[str]


class SearchHit(TypedDict):
    """One unit found by `search`."""

    sor_id: str
    name: str | None
    sor_type: str | None
    matched: str


class TreeNode(TypedDict):
    """One unit of the `tree` document with the units under it."""

    sor_id: str
    name: str | None
    sor_type: str | None
    children: list[TreeNode]
    missing_parent: NotRequired[bool]


class Replacement(TypedDict):
    """A unit named in SORReplacedEntities next to the one looked at."""

    sor_id: str
    #: the unit's name at the date (or at its nearest version); None when the id is
    #: not in the file
    name: str | None
    #: the replacement's validity in the table (None when open or not given)
    valid_from: str | None
    valid_to: str | None
