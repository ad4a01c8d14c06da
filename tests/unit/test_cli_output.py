"""The command line's output of text from a file: no control characters reach the
terminal, JSON stays JSON, and a document as deep as a 5,000-unit chain is written
without recursion and without a square of indentation."""

from __future__ import annotations

import json
import sys

from sorviewer.cli import _JSON_RAW_CONTROLS, MAX_INDENT, safe
from sorviewer.jsondoc import dumps


def _chain(depth: int) -> dict[str, object]:
    top: dict[str, object] = {"name": "0", "children": []}
    node = top
    for k in range(1, depth):
        child: dict[str, object] = {"name": str(k), "children": []}
        node["children"] = [child]
        node = child
    return top


def test_a_deep_document_is_written_and_cleaned_without_recursion() -> None:
    deep = _chain(5_000)
    text = dumps(deep, deepest=MAX_INDENT)  # as the CLI writes it
    assert text.count('"name"') == 5_000
    # the indentation stops growing, so the output grows with the document, not its square
    assert max(len(line) - len(line.lstrip(" ")) for line in text.splitlines()) <= MAX_INDENT
    assert dumps(safe(deep), deepest=MAX_INDENT) == text  # (comparing dicts would recurse)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        assert json.loads(dumps(_chain(600), deepest=MAX_INDENT)) == _chain(600)
    finally:
        sys.setrecursionlimit(limit)


def test_safe_replaces_every_control_character_in_keys_and_values() -> None:
    doc = {"a\x1b[2J": ["x\x9b31m", ("y\n\r\x00", "\u2028"), {"k\x07": "v\x7f"}], "n": 3}
    out = safe(doc)
    flat = json.dumps(out, ensure_ascii=True)
    for ch in ("\\u001b", "\\u009b", "\\n", "\\r", "\\u0000", "\\u2028", "\\u0007", "\\u007f"):
        assert ch not in flat, ch
    assert out["n"] == 3


def test_json_escapes_what_a_terminal_obeys() -> None:
    raw = json.dumps({"name": "a\x9bb\x7fc\u2028d"}, ensure_ascii=False)
    escaped = raw.translate(_JSON_RAW_CONTROLS)
    assert not any(ch in escaped for ch in "\x9b\x7f\u2028")
    assert json.loads(escaped) == {"name": "a\x9bb\x7fc\u2028d"}
