"""Copying: a table as tab-separated text AND as an HTML table, on the system clipboard.

Every table copy in the window (the tree, the Units table, the search results, the
panels' tables) goes through `copy_table`: the clipboard gets `text/plain` (TSV with
a header line, for editors and programs) and `text/html` (a table, what spreadsheets
paste), both built by the core's `sorviewer.export.clipboard`. In the HTML every
id-like cell is marked as text the two ways spreadsheets read it (Excel's
`mso-number-format:"\\@"`, LibreOffice's `sdnum`), so 16-18 digit SOR ids and
postcodes with leading zeros paste exact. The core module is imported when first
used because it pulls in pandas and the window starts without it.

Binding workaround (PySide6 6.12, `_qt_made_mime_data`): a QMimeData constructed in
Python is a binding subclass whose C++ destructor calls back into Python. The
clipboard owns what it is given and may free it after the interpreter has shut down
(the offscreen platform keeps it in a static destroyed at process exit); the callback
then crashes the process on its way out (SIGSEGV in Shiboken::Object::destroy). So
what the clipboard is given is a plain QMimeData that Qt itself allocated.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QStringListModel
from PySide6.QtGui import QGuiApplication


def to_tsv(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    """TSV for the clipboard: the header line, then one line per row."""
    from sorviewer.export import to_tsv as core_to_tsv

    return str(core_to_tsv([str(h) for h in header], [list(r) for r in rows]))


def table_mime(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    columns: Sequence[str] | None = None,
) -> QMimeData:
    """The clipboard data of a table: `text/plain` TSV and `text/html`.

    `columns` names the register column each position holds (`SorId`, `ShakId`, ...),
    so id-like columns are marked as text in the HTML even where a value is not all
    digits; all-digit values are marked whatever their column."""
    from sorviewer.export import clipboard

    tsv, html = clipboard(
        [str(h) for h in header], [list(r) for r in rows], list(columns) if columns else None
    )
    data = _qt_made_mime_data()
    data.setText(tsv)
    data.setHtml(html)
    return data


def _qt_made_mime_data() -> QMimeData:
    """An empty QMimeData allocated by Qt, not by the binding (see the module
    docstring): QAbstractItemModel.mimeData() makes one with `new QMimeData`; the one
    format it puts in is removed again."""
    model = QStringListModel([""])
    data = model.mimeData([model.index(0)])
    for fmt in data.formats():
        data.removeFormat(fmt)
    return data


def copy_table(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    columns: Sequence[str] | None = None,
) -> None:
    """Put a table on the clipboard as TSV and HTML (see `table_mime`)."""
    QGuiApplication.clipboard().setMimeData(table_mime(header, rows, columns))


def set_clipboard(text: str) -> None:
    """Plain text only (a single id, an EAN, a log): nothing a spreadsheet needs."""
    QGuiApplication.clipboard().setText(text)


def copy_tsv(header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    """Put `rows` under `header` on the clipboard (TSV and HTML)."""
    copy_table(header, rows)
