"""GUI tests: Python's cycle collector runs on the GUI thread, as in the application."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(qapp: Any) -> Iterator[None]:
    # pytest-qt makes the QApplication (not ui.app.create_app), so pin the collector
    # here: a collection on a worker thread destroying Qt objects crashed runs now and
    # then. Other test folders keep Python's own collection.
    from ui.app import pin_gc_to_gui_thread

    collector = pin_gc_to_gui_thread(qapp)
    collector.start()
    yield
    collector.stop()
