"""JSON text of a nested document, written without recursion.

`json.dumps(doc, ensure_ascii=False, indent=1)` recurses once per level of nesting
and stops with RecursionError about a thousand levels down; the `tree` document of
a deep hierarchy nests deeper than that (depth is data). `dumps` writes the same
text with an explicit stack.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def _key(key: object) -> str:
    """A dict key as `json` writes it (keys that are not text become text first)."""
    if isinstance(key, str):
        return json.dumps(key, ensure_ascii=False)
    if key is None or isinstance(key, bool):
        return json.dumps(json.dumps(key))
    return json.dumps(str(key))


def dumps(doc: Any, indent: int = 1, deepest: int | None = None) -> str:
    """`json.dumps(doc, ensure_ascii=False, indent=indent)`, for any depth.

    With `deepest`, levels below it are indented as that level (still the same JSON):
    a chain thousands deep would otherwise be written as a square of spaces."""

    def pad(level: int) -> str:
        return " " * (indent * (level if deepest is None else min(level, deepest)))

    parts: list[str] = []
    # open containers: (their items, is a dict, nesting level, has written an item)
    stack: list[tuple[Iterator[Any], bool, int, list[bool]]] = []

    def begin(value: Any, level: int) -> None:
        if isinstance(value, dict):
            if not value:
                parts.append("{}")
                return
            parts.append("{")
            stack.append((iter(value.items()), True, level, [False]))
        elif isinstance(value, list | tuple):
            if not value:
                parts.append("[]")
                return
            parts.append("[")
            stack.append((iter(value), False, level, [False]))
        else:
            parts.append(json.dumps(value, ensure_ascii=False))

    begin(doc, 0)
    while stack:
        items, is_dict, level, written = stack[-1]
        item: Any = next(items, _END)
        if item is _END:
            stack.pop()
            parts.append("\n" + pad(level) + ("}" if is_dict else "]"))
            continue
        parts.append(("," if written[0] else "") + "\n" + pad(level + 1))
        written[0] = True
        if is_dict:
            pair: tuple[Any, Any] = item
            parts.append(_key(pair[0]) + ": ")
            begin(pair[1], level + 1)
        else:
            begin(item, level + 1)
    return "".join(parts)


_END = object()
