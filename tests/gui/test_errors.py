"""Honest errors: the user's file is one sentence in the window's language; a bug in
the program is logged with its traceback and said to be one, with Copy details; the
export can be cancelled and then leaves no file."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from sorviewer.errors import LoadError
from sorviewer.messages import msg
from tests.unit import tiny
from ui import logs
from ui import settings as st
from ui.main_window import MainWindow
from ui.tasks import TaskState
from ui.widgets import export_dialog
from ui.widgets.error_dialog import ErrorDialog, internal_error_text, show_internal_error
from ui.widgets.export_dialog import ExportDialog

DAY = dt.date(2021, 1, 1)

# The offscreen platform says this whenever a top-level widget is shown.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[ErrorDialog]:
    """Internal-error dialogs shown (not run modally)."""
    shown: list[ErrorDialog] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: shown.append(self) or 0)
    return shown


@pytest.fixture
def user_errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sentences shown to the user as plain warnings."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    return shown


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> MainWindow:
    win = MainWindow(settings=st.Settings(str(tmp_path / "e.ini")), panels=())
    qtbot.addWidget(win)
    return win


@pytest.fixture
def file(tmp_path: Path) -> str:
    p = tmp_path / "SorEntity_daily.csv"
    p.write_text("not read: the tests inject their loader\n", encoding="utf-8")
    return str(p)


def _fail_with(exc: BaseException) -> Any:
    def loader(path: str, progress: Any, cancelled: Any) -> Any:
        raise exc

    return loader


def test_a_load_error_is_the_users_sentence_in_the_windows_language(
    qtbot: Any, window: MainWindow, file: str, user_errors: list[str], dialogs: list[Any]
) -> None:
    window.loader = _fail_with(LoadError(msg("load.no_memory")))
    with qtbot.waitSignal(window.load_task.failed, timeout=5000):
        window.open_path(file)
    assert user_errors == ["Der er ikke hukommelse nok til at åbne denne fil."]
    window.state.set_language("en")
    with qtbot.waitSignal(window.load_task.failed, timeout=5000):
        window.open_path(file)
    assert user_errors[-1] == "There is not enough memory to open this file."
    assert dialogs == []  # not the program's error


def test_a_bug_while_loading_is_the_programs_error_with_a_log(
    qtbot: Any,
    window: MainWindow,
    file: str,
    user_errors: list[str],
    dialogs: list[ErrorDialog],
    caplog: pytest.LogCaptureFixture,
) -> None:
    window.loader = _fail_with(TypeError("unsupported operand"))
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(window.load_task.failed, timeout=5000):
        window.open_path(file)
    assert user_errors == []  # never "your file seems damaged"
    [dlg] = dialogs
    text = dlg.message.text()
    assert "fejl i programmet SOR Viewer" in text and "ikke en fejl i din fil" in text
    assert "SorEntity_daily.csv" in text
    assert "TypeError: unsupported operand" in dlg.details
    assert "Traceback" in dlg.details
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is not None and record.exc_info[0] is TypeError
    assert window.state.register is None  # nothing half-loaded was installed


def test_out_of_memory_is_a_sentence_not_a_bug(
    qtbot: Any, window: MainWindow, file: str, user_errors: list[str], dialogs: list[Any]
) -> None:
    window.loader = _fail_with(MemoryError())
    with qtbot.waitSignal(window.load_task.failed, timeout=5000):
        window.open_path(file)
    assert user_errors == ["Der er ikke hukommelse nok til at åbne denne fil."]
    assert dialogs == []


def test_the_error_dialog_names_the_log_and_copies_the_details(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: list[ErrorDialog]
) -> None:
    monkeypatch.setattr(st, "log_dir", lambda: str(tmp_path / "logs"))
    path = logs.setup_logging()
    try:
        try:
            {}["missing"]  # a real traceback
        except KeyError as exc:
            show_internal_error(None, "en", "drawing the tree", exc)
    finally:
        logs.teardown_logging()
    assert path == str(tmp_path / "logs" / "sorviewer.log")
    logged = Path(path).read_text(encoding="utf-8")
    assert "internal error while drawing the tree" in logged and "KeyError" in logged
    [dlg] = dialogs
    assert path in dlg.message.text()
    assert "It is not a fault in your file" in dlg.message.text()
    assert dlg.copy_button.text() == "Copy details"
    dlg.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "KeyError: 'missing'" in copied and "SOR Viewer" in copied and "PySide6" in copied
    assert dlg.copy_button.text() == "Copied"
    assert dlg.result() == 0  # Copy details does not close the dialog
    # Danish: "Kopiér detaljer"; without a log file the dialog says so
    da = ErrorDialog(internal_error_text("da", "tegnede træet", ""), "x", "da")
    assert da.copy_button.text() == "Kopiér detaljer"
    assert "kunne ikke skrives i en logfil" in da.message.text()


def test_the_log_rotates_in_the_user_log_folder(tmp_path: Path) -> None:
    path = logs.setup_logging(str(tmp_path))
    try:
        handlers = [h for h in logging.getLogger().handlers if getattr(h, "_sorviewer", False)]
        rotating = [h for h in handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
        assert len(rotating) == 1
        assert rotating[0].maxBytes == logs.MAX_BYTES and rotating[0].backupCount == logs.BACKUPS
        assert logs.setup_logging(str(tmp_path)) == path  # once
        logging.getLogger("ui.test").info("hello from the test")
    finally:
        logs.teardown_logging()
    assert "hello from the test" in Path(path).read_text(encoding="utf-8")
    assert logs.log_file() == ""


def test_default_log_folder_is_platformdirs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert st.log_dir().startswith(str(tmp_path))
    assert logs.log_folder().startswith(str(tmp_path))


# --- the export ----------------------------------------------------------------------


def _export_dialog(qtbot: Any, folder: Path, fmt: str = "csv") -> ExportDialog:
    reg = tiny.tiny_register()
    dlg = ExportDialog(reg, DAY, [], str(folder), language="da", scope="all")
    qtbot.addWidget(dlg)
    dlg.format.setCurrentIndex([f[0] for f in export_dialog.FORMATS].index(fmt))
    dlg.path.setText(str(folder / f"out.{fmt}"))
    return dlg


def test_cancel_stops_the_export_and_leaves_no_file(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, gate = threading.Event(), threading.Event()
    real = export_dialog.export_task

    def held(reg: Any, day: Any, path: str, options: dict[str, Any], state: TaskState) -> int:
        report = state.report

        def first_report_waits(done: int, total: int) -> None:
            reached.set()
            gate.wait(5)  # the user presses Cancel meanwhile
            report(done, total)

        state.report = first_report_waits  # type: ignore[method-assign]
        return real(reg, day, path, options, state)

    monkeypatch.setattr(export_dialog, "export_task", held)
    dlg = _export_dialog(qtbot, tmp_path)
    dlg.show()
    dlg.start_export()
    assert reached.wait(5)
    assert dlg.exporting and dlg.progress.isVisible() and not dlg.save_button.isEnabled()
    with qtbot.waitSignal(dlg.job.cancelled, timeout=5000):
        dlg.buttons.rejected.emit()  # the Cancel button
        gate.set()
    assert os.listdir(tmp_path) == []  # neither the file nor a temporary one
    assert dlg.isVisible() and dlg.written == ""  # open, saying why nothing was written
    assert "ikke skrevet nogen fil" in dlg.note.text() and dlg.note.isVisible()
    assert dlg.save_button.isEnabled()
    # and again, to the end
    monkeypatch.setattr(export_dialog, "export_task", real)
    with qtbot.waitSignal(dlg.job.finished, timeout=10000):
        dlg.start_export()
    assert dlg.written == str(tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").startswith("SorId")


def test_a_bug_in_the_export_is_the_programs_error(
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: list[ErrorDialog],
    user_errors: list[str],
) -> None:
    def broken(*_args: Any) -> int:
        raise ValueError("a value the writer did not expect")

    monkeypatch.setattr(export_dialog, "export_task", broken)
    dlg = _export_dialog(qtbot, tmp_path, "xlsx")
    with qtbot.waitSignal(dlg.job.failed, timeout=5000):
        dlg.start_export()
    [err] = dialogs
    assert "fejl i programmet" in err.message.text()
    assert "ValueError: a value the writer did not expect" in err.details
    assert user_errors == []
    assert dlg.save_button.isEnabled() and not dlg.progress.isVisibleTo(dlg)


def test_a_disk_that_refuses_the_file_is_the_users_sentence(
    qtbot: Any, tmp_path: Path, dialogs: list[Any], user_errors: list[str]
) -> None:
    blocked = tmp_path / "out.csv"
    blocked.mkdir()  # a folder where the file should go: the write fails with an OSError
    dlg = _export_dialog(qtbot, tmp_path)
    with qtbot.waitSignal(dlg.job.failed, timeout=5000):
        dlg.start_export()
    assert dialogs == []
    assert len(user_errors) == 1 and "kunne ikke skrives" in user_errors[0]


def test_a_bug_in_a_panel_task_is_the_programs_error(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, dialogs: list[ErrorDialog]
) -> None:
    from ui.app_state import AppState
    from ui.widgets import changes_panel

    def broken(*_args: Any) -> Any:
        raise IndexError("index 3 is out of bounds")

    monkeypatch.setattr(changes_panel, "compute_changes", broken)
    state = AppState()
    state.set_register(tiny.tiny_register())
    state.set_as_of(DAY)
    panel = changes_panel.ChangesPanel(state)
    qtbot.addWidget(panel)
    panel.show()
    panel.wait()
    assert "fejl i programmet" in panel.caption.text()
    [err] = dialogs
    assert "IndexError: index 3 is out of bounds" in err.details


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("da", "Kunne ikke skrive out.csv: Permission denied."),
        ("en", "Could not write out.csv: Permission denied."),
    ],
)
def test_an_export_that_cannot_be_written_is_one_sentence(
    qtbot: Any, user_errors: list[str], lang: str, said: str
) -> None:
    import errno

    from ui.widgets.error_dialog import show_write_error

    show_write_error(None, lang, "out.csv", PermissionError(errno.EACCES, "Permission denied"))
    assert user_errors == [said]
