"""Render the application offscreen and save screenshots into docs/.

Run from the repository root: `python build_scripts/screenshots.py [FILE]`.
Without FILE it shows the synthetic demo register (or, before the generator
exists, the small hand-made test register). Uses QWidget.grab(), so no screen
or X server is needed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

DOCS = ROOT / "docs"


def settle(app: QApplication, ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def wait_load(win: Any, app: QApplication) -> None:
    loop = QEventLoop()
    win.load_task.finished.connect(lambda *_: loop.quit())
    win.load_task.failed.connect(lambda msg, _p: (print("load failed:", msg), loop.quit()))
    QTimer.singleShot(600_000, loop.quit)
    loop.exec()
    settle(app)


def main(argv: list[str]) -> int:
    from ui.app import app_icon, create_app
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = create_app(argv[:1])
    DOCS.mkdir(exist_ok=True)
    tmp = tempfile.mkdtemp()
    settings = Settings(os.path.join(tmp, "shots.ini"))
    loader = None
    path = argv[1] if len(argv) > 1 else ""
    demo = False
    if not path:
        try:
            from sorviewer import synthetic

            path = os.path.join(tmp, "demo.zip")
            synthetic.generate(path, entities=1500, seed=7)
            demo = True
        except ImportError:
            from tests.unit import tiny

            path = os.path.join(tmp, "tiny.csv")
            Path(path).write_text("placeholder", encoding="utf-8")

            def loader(_p: str, _progress: Any, _cancelled: Any) -> Any:
                return tiny.tiny_register()

    win = MainWindow(settings=settings, loader=loader, icon=app_icon())
    win.resize(1360, 820)
    win.start_page.set_recent(
        [os.path.join(os.path.expanduser("~"), "Downloads", "Sor_complete.zip")]
    )
    win.show()
    settle(app)
    win.grab().save(str(DOCS / "start_page.png"))

    win._loading_demo = demo
    win.load_task.start(path, None)
    wait_load(win, app)
    win.is_demo = demo
    win.banner.setVisible(demo)
    win._update_title()
    reg = win.state.register
    if reg is None:
        print("nothing loaded")
        return 1
    win.state.set_as_of(dt.date.today())
    # select a unit two levels down so the panels have something to show
    model = win.model
    top = model.index(0, 0)
    win.tree.expand(top)
    child = model.index(0, 0, top)
    target = model.index(min(1, model.rowCount(child) - 1), 0, child) if child.isValid() else top
    if target.isValid():
        win.reveal(model.sor_id_of(target))
    settle(app, 300)
    win.grab().save(str(DOCS / "main_window.png"))

    win.search.setText("klinik" if demo else "akut")
    win._on_search_timer_timeout()
    settle(app, 300)
    win.grab().save(str(DOCS / "search.png"))
    win.search.clear()
    win._on_search_timer_timeout()

    win.show_report()
    settle(app, 200)
    dlg = win._report_dialog
    if dlg is not None:
        dlg.grab().save(str(DOCS / "report_dialog.png"))
        dlg.close()
    win.close()
    settle(app)
    print("screenshots written to", DOCS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
