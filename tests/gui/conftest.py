"""GUI tests run under the application's own rules for threads and the collector.

Every GUI test gets what `ui.app.create_app` installs (pytest-qt makes the
QApplication itself): the guard against the binding's reference-count defect
(ui.refcounts) and the GUI-thread collector with automatic collection off
(ui.collector). A `gc.callbacks` guard fails the test when a cycle collection starts
on any thread but the GUI thread, or when automatic collection was turned back on:
a collection on a worker can free Qt objects there.

`sync_tasks` makes every `ui.tasks.TaskRunner` run its tasks inline, for tests that
want a panel's result without waiting for a thread.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread_only(qapp: Any) -> Iterator[None]:
    from ui.collector import install_collector
    from ui.refcounts import guard_singletons

    guard_singletons()
    collector = install_collector(qapp)
    collector.start()
    elsewhere: list[str] = []

    def watch(phase: str, _info: dict[str, int]) -> None:
        if phase == "start" and threading.current_thread() is not threading.main_thread():
            elsewhere.append(threading.current_thread().name)

    gc.callbacks.append(watch)
    try:
        yield
    finally:
        gc.callbacks.remove(watch)
        enabled = gc.isenabled()
        collector.stop()
        gc.unfreeze()  # what a test's register froze is collectable again
    assert not elsewhere, f"a cycle collection started on {sorted(set(elsewhere))}"
    assert not enabled, "automatic collection was turned on during the test"


@pytest.fixture
def sync_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every task inline, inside `TaskRunner.start()` / `request()`."""
    from ui import tasks

    monkeypatch.setattr(tasks, "default_executor", tasks.run_inline)
