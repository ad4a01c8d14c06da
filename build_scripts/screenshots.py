"""Render the application offscreen and save screenshots into docs/.

Run from the repository root: `python build_scripts/screenshots.py [FILE]`.
Without FILE it shows the synthetic demo register (1500 units, seed 7). Uses
QWidget.grab(), so no screen or X server is needed. Writes:

    start_page.png      the window before a file is open
    main_window.png     tree + date bar + the Overview of a unit with inherited values
    timeline.png        the date bar alone (active units, changes per month, the line)
    search.png          the tree filtered as you type, matches highlighted
    units.png           the Units view: general practices in one region that can receive
                        an EDI type, with their EAN and visiting address
    shak_sor.png        the SHAK/SOR mapping table
    ean_edi.png         the unit's EAN and EDI types
    edi_recipients.png  who under a unit can receive an EDI type
    history.png         the unit's versions
    changes.png         what changed between two dates
    report_dialog.png   the load report
    dark.png            the main window on a dark palette
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory  # noqa: E402

DOCS = ROOT / "docs"
SIZE = (1440, 860)


def settle(app: QApplication, ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def wait_load(win: Any, app: QApplication) -> None:
    loop = QEventLoop()
    win.load_task.finished.connect(lambda *_: loop.quit())
    win.load_task.failed.connect(lambda _p, exc: (print("load failed:", exc), loop.quit()))
    QTimer.singleShot(600_000, loop.quit)
    loop.exec()
    settle(app)


def save(widget: Any, name: str) -> None:
    widget.grab().save(str(DOCS / name))
    print("wrote", name)


def dark_palette() -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d30",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#35373b",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#35373b",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8c8f94",
        QPalette.ColorRole.Link: "#6ea8ff",
        QPalette.ColorRole.Mid: "#4a4d52",
        QPalette.ColorRole.Dark: "#9a9da3",
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#777a80"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#777a80"))
    return pal


def unit_with_inheritance(win: Any) -> str:
    """A unit at the date whose postal address is inherited and that has an EAN."""
    reg = win.state.register
    day = win.state.as_of
    snap = win.model.snapshot()
    fallback = ""
    for e in snap.active_mask.nonzero()[0][:3000].tolist():
        sid = str(reg.ids[e])
        view = reg.entity(sid, day) or {}
        prov = view.get("provenance", {})
        if view.get("sor_type") != "OE":
            continue
        fallback = fallback or sid
        if (
            prov.get("postal_address", {}).get("state") == "inherited"
            and prov.get("ean_location_code", {}).get("state") in ("own", "inherited")
            and prov.get("shak", {}).get("state") == "inherited"
        ):
            return sid
    return fallback


def show_dock(win: Any, cls_name: str, app: QApplication) -> Any:
    for dock in win.docks:
        if dock.objectName() == f"dock_{cls_name}":
            dock.show()
            dock.raise_()
            settle(app, 250)
            return dock
    return None


def units_view(win: Any, app: QApplication) -> None:
    """The Units view doing the coordinator's task of issue 15: general practices in
    one region that can receive an EDI type, with their EAN and visiting address."""
    win.show_units_view()
    view = win.units_view
    view.wait()
    settle(app, 200)
    view.set_columns(
        [
            "EntityName",
            "SorId",
            "EanLocationCode",
            "EanLocationCodeSource",
            "VisitingAddressStreetName",
            "VisitingAddressStreetBuildingId",
            "VisitingAddressPostCodeId",
            "VisitingAddressDistrictName",
        ]
    )
    for facet in ("status", "level", "ean"):  # room for the three that are used
        view.sidebar.sections[facet].open(False)
    for facet, code in (("entity_type", "394761003"), ("region", ""), ("edi_type", "")):
        section = view.sidebar.sections[facet]
        section.open()
        row = section.model.row_of_code(code) if code else 0
        if 0 <= row < section.model.rowCount():
            section.model.toggle(row)
            view.wait()
            settle(app, 150)
    view.table.selectRow(min(2, view.model.rowCount() - 1))
    view.sidebar.scroll_area.ensureWidgetVisible(view.sidebar.sections["edi_type"])
    settle(app, 300)


def main(argv: list[str]) -> int:
    from ui.app import app_icon, create_app
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = create_app(argv[:1])
    DOCS.mkdir(exist_ok=True)
    tmp = tempfile.mkdtemp()
    settings = Settings(os.path.join(tmp, "shots.ini"))
    path = argv[1] if len(argv) > 1 else ""
    demo = not path
    if demo:
        from sorviewer import synthetic

        path = os.path.join(tmp, "demo.zip")
        synthetic.generate(path, entities=1500, seed=7)

    win = MainWindow(settings=settings, icon=app_icon())
    win.resize(*SIZE)
    # an illustrative recent file, not this machine's home folder
    win.start_page.set_recent(
        [os.path.join(os.sep, "home", "bruger", "Hentet", "Sor_complete.zip")]
    )
    win.show()
    settle(app, 300)
    save(win, "start_page.png")

    win.open_path(path, demo=demo)
    wait_load(win, app)
    reg = win.state.register
    if reg is None:
        print("nothing loaded")
        return 1
    win.state.set_as_of(dt.date.today())
    settle(app)
    sid = unit_with_inheritance(win)
    if sid:
        win.reveal(sid)
    show_dock(win, "OverviewPanel", app) or show_dock(win, "DetailsPanel", app)
    settle(app, 300)
    save(win, "main_window.png")
    save(win.date_bar, "timeline.png")

    show_dock(win, "HistoryPanel", app)
    save(win, "history.png")
    show_dock(win, "EanEdiPanel", app)
    save(win, "ean_edi.png")
    dock = show_dock(win, "EdiPanel", app)
    if dock is not None:
        save(win, "edi_recipients.png")
    show_dock(win, "MappingPanel", app)
    save(win, "shak_sor.png")
    show_dock(win, "ChangesPanel", app)
    save(win, "changes.png")
    show_dock(win, "OverviewPanel", app)

    win.search.setText("klinik" if demo else "hospital")
    win._on_search_timer_timeout()
    settle(app, 300)
    save(win, "search.png")
    win.clear_filter()

    # the table wants the width: the docked panels step aside for this picture
    shown = [d for d in win.docks if d.isVisible()]
    for dock in shown:
        dock.hide()
    units_view(win, app)
    save(win, "units.png")
    win.show_tree_view()
    for dock in shown:
        dock.show()
    show_dock(win, "OverviewPanel", app)
    settle(app, 200)

    win.show_report()
    settle(app, 200)
    dlg = win._report_dialog
    if dlg is not None:
        dlg.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        save(dlg, "report_dialog.png")
        dlg.close()

    # the same window on a dark palette: nothing may stay light
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(dark_palette())
    app.setStyleSheet(app.styleSheet())  # re-resolve palette() in the style sheet
    settle(app, 300)
    save(win, "dark.png")

    win.close()
    settle(app)
    shutil.rmtree(tmp, ignore_errors=True)
    print("screenshots written to", DOCS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
