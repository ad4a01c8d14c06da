"""Copying: tab-separated text with a header line, put on the system clipboard.

The TSV rule itself (cells cleaned of tabs and line breaks, None as empty) is the
core's `sorviewer.export.to_tsv`, so a copy from the window and the CLI's output
agree; it is imported when first used because the export module pulls in pandas
and the window starts without it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QGuiApplication


def to_tsv(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    """TSV for the clipboard: the header line, then one line per row."""
    from sorviewer.export import to_tsv as core_to_tsv

    return str(core_to_tsv([str(h) for h in header], [list(r) for r in rows]))


def set_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def copy_tsv(header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    """Put `rows` under `header` on the clipboard as TSV."""
    set_clipboard(to_tsv(header, rows))
