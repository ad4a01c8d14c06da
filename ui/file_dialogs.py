"""File dialogs in the window's language.

A native file dialog (Windows, macOS, a desktop's portal) speaks the language of the
system, not the window's: on an English system the Danish window would open an
English dialog. So the system's dialog is used only when the system speaks the
window's language; otherwise Qt's own dialog is used, in the window's language
through Qt's Danish catalogue (`ui.app.set_qt_language`). That catalogue lacks two of
the dialog's labels ("Look in:", "Files of type:"), so every label the dialog lets a
program set is set here, in both languages, and the type column ("Folder", "csv File")
is put in Danish by `TypeWords`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QIdentityProxyModel, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from ui.i18n import tr


def system_speaks(lang: str) -> bool:
    """Whether the system's user interface language is `lang` ("da", "en")."""
    languages = QLocale.system().uiLanguages()
    return bool(languages) and languages[0].split("-")[0].lower() == lang


class TypeWords(QIdentityProxyModel):
    """The dialog's type column in Danish: Qt's Danish catalogue has no "Folder" or
    "csv File". A proxy on the GUI thread, not an icon provider, which Qt would call
    from its file-gathering thread."""

    TYPE_COLUMN = 2

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        value = super().data(index, role)
        if (
            role != Qt.ItemDataRole.DisplayRole
            or index.column() != self.TYPE_COLUMN
            or not isinstance(value, str)
        ):
            return value
        if value in _DANISH_TYPES:
            return _DANISH_TYPES[value]
        if value.endswith(" File"):
            return f"{value[: -len(' File')].upper()}-fil"
        return value


#: Qt's English type words and their Danish
_DANISH_TYPES = {"Folder": "Mappe", "File": "Fil", "Drive": "Drev", "Alias": "Genvej"}


def file_dialog(
    parent: QWidget | None,
    caption: str,
    directory: str,
    filters: str,
    lang: str,
    save: bool = False,
) -> QFileDialog:
    """A file dialog to open an existing file (or, with `save`, to name one to write),
    set up to speak `lang`; `filters` as `QFileDialog` takes them ("CSV (*.csv);;...")."""
    dialog = QFileDialog(parent, caption, directory, filters)
    dialog.setAcceptMode(
        QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
    )
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
    if not system_speaks(lang):
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        if lang == "da":
            dialog.setProxyModel(TypeWords(dialog))
    labels = {
        QFileDialog.DialogLabel.LookIn: tr(lang, "Søg i:", "Look in:"),
        QFileDialog.DialogLabel.FileName: tr(lang, "Filnavn:", "File name:"),
        QFileDialog.DialogLabel.FileType: tr(lang, "Filtype:", "Files of type:"),
        QFileDialog.DialogLabel.Accept: (
            tr(lang, "Gem", "Save") if save else tr(lang, "Åbn", "Open")
        ),
        QFileDialog.DialogLabel.Reject: tr(lang, "Annuller", "Cancel"),
    }
    for which, text in labels.items():
        dialog.setLabelText(which, text)
    return dialog


def _chosen(dialog: QFileDialog) -> tuple[str, str]:
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return "", ""
    files = dialog.selectedFiles()
    return (files[0] if files else ""), dialog.selectedNameFilter()


def get_open_file_name(
    parent: QWidget | None, caption: str, directory: str, filters: str, lang: str
) -> tuple[str, str]:
    """(the file chosen, the filter chosen); ("", "") when cancelled."""
    return _chosen(file_dialog(parent, caption, directory, filters, lang))


def get_save_file_name(
    parent: QWidget | None, caption: str, directory: str, filters: str, lang: str
) -> tuple[str, str]:
    """(the file to write, the filter chosen); ("", "") when cancelled. Asks before
    replacing a file that exists, as Qt's dialogs do."""
    return _chosen(file_dialog(parent, caption, directory, filters, lang, save=True))
