"""The one worker type (ui.tasks), the collector policy (ui.collector) and the guard
against the binding's reference-count defect (ui.refcounts)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sorviewer.errors import LoadCancelled
from ui import tasks
from ui.collector import Collector, install_collector
from ui.refcounts import guard_singletons, probe_binding, singletons_mortal
from ui.tasks import Cancelled, TaskRunner, TaskState

ROOT = Path(__file__).resolve().parents[2]


def _outcomes(runner: TaskRunner) -> list[tuple[str, Any]]:
    got: list[tuple[str, Any]] = []
    runner.finished.connect(lambda key, result: got.append(("finished", (key, result))))
    runner.failed.connect(lambda key, exc: got.append(("failed", (key, exc))))
    runner.cancelled.connect(lambda key: got.append(("cancelled", key)))
    return got


def test_a_task_hands_its_result_to_the_gui_thread_in_one_step(qtbot: Any) -> None:
    runner = TaskRunner()
    got = _outcomes(runner)
    seen: dict[str, str] = {}

    def task(state: TaskState) -> int:
        seen["thread"] = threading.current_thread().name
        return 42

    with qtbot.waitSignal(runner.finished, timeout=5000):
        assert runner.start(task, key="k")
        assert runner.running
    assert got == [("finished", ("k", 42))]
    assert seen["thread"] != threading.main_thread().name
    assert not runner.running and not runner.busy


def test_a_failure_is_handed_over_with_its_traceback(qtbot: Any) -> None:
    runner = TaskRunner()
    got = _outcomes(runner)

    def task(state: TaskState) -> None:
        raise KeyError("boom")

    with qtbot.waitSignal(runner.failed, timeout=5000):
        runner.start(task, key=1)
    [(kind, (key, exc))] = got
    assert kind == "failed" and key == 1 and isinstance(exc, KeyError)
    assert exc.__traceback__ is not None  # the details for the log and Copy details


def test_one_task_at_a_time_unless_latest_only(qtbot: Any) -> None:
    gate = threading.Event()
    runner = TaskRunner()
    got = _outcomes(runner)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        assert runner.start(lambda state: gate.wait(5) and "first")
        assert not runner.start(lambda state: "second")  # refused while one runs
        gate.set()
    assert got == [("finished", (None, "first"))]


def test_cancel_stops_a_polling_task_and_says_so(qtbot: Any) -> None:
    runner = TaskRunner()
    got = _outcomes(runner)
    started = threading.Event()

    def task(state: TaskState) -> None:
        started.set()
        for _ in range(1000):
            state.check()
            time.sleep(0.005)
        raise AssertionError("never cancelled")

    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        runner.start(task, key="c")
        assert started.wait(5)
        runner.cancel()
    assert got == [("cancelled", "c")]
    # the loader's own cancellation reads the same
    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        runner.start(lambda state: (_ for _ in ()).throw(LoadCancelled()), key="l")
    assert got[-1] == ("cancelled", "l")


def test_latest_only_drops_superseded_results(qtbot: Any) -> None:
    runner = TaskRunner(latest_only=True)
    got = _outcomes(runner)
    gate = threading.Event()

    def slow(state: TaskState) -> str:
        gate.wait(5)
        return "old"

    runner.request("a", slow)
    runner.request("b", lambda state: "middle")  # replaced before it ran
    runner.request("c", lambda state: "new")
    assert runner.busy
    gate.set()
    assert runner.wait_done(5000)
    assert got == [("finished", ("c", "new"))]


def test_progress_is_throttled_and_stages_come_in_order(qtbot: Any) -> None:
    runner = TaskRunner()
    progress: list[tuple[int, int]] = []
    stages: list[str] = []
    partial: list[object] = []
    runner.progressed.connect(lambda done, total: progress.append((done, total)))
    runner.staged.connect(stages.append)
    runner.partial.connect(partial.append)

    def task(state: TaskState) -> None:
        for stage in ("read", "build", "prepare"):
            state.set_stage(stage)
        state.set_partial("half")
        end = time.monotonic() + 0.6
        i = 0
        while time.monotonic() < end:
            i += 1
            state.set_progress(i, 10**9)
        state.set_progress(10**9, 10**9)

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(task)
    # hundreds of thousands of reports, a few signals a second, the last one included
    assert 1 <= len(progress) <= 0.6 * 1000 / tasks.PROGRESS_MS + 3
    assert progress[-1] == (10**9, 10**9)
    assert stages == ["read", "build", "prepare"]
    assert partial == ["half"]


def test_what_a_task_held_is_freed_on_the_gui_thread(qtbot: Any) -> None:
    """The task's closure and result lose their last reference on the GUI thread,
    never on the worker (a closure holding a widget must not free it there)."""
    freed: list[str] = []

    class Held:
        def __del__(self) -> None:
            freed.append(threading.current_thread().name)

    runner = TaskRunner()

    def make_task() -> Any:
        held = Held()

        def task(state: TaskState) -> Held:
            assert held is not None
            return Held()

        return task

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(make_task())
    qtbot.wait(10)
    assert freed == [threading.main_thread().name] * 2


def test_a_runner_freed_mid_task_still_frees_the_task_on_the_gui_thread(qtbot: Any) -> None:
    freed: list[str] = []
    gate = threading.Event()

    class Held:
        def __del__(self) -> None:
            freed.append(threading.current_thread().name)

    def make_task() -> Any:
        held = Held()

        def task(state: TaskState) -> None:
            assert held is not None
            gate.wait(5)

        return task

    runner = TaskRunner()
    runner.start(make_task())
    handle = runner._job.handle if runner._job is not None else None
    del runner  # its panel closed while the task runs
    gate.set()
    assert isinstance(handle, threading.Thread)
    handle.join(5)
    assert freed == []  # not on the worker: the job is still held for the GUI thread
    later = TaskRunner()
    with qtbot.waitSignal(later.finished, timeout=5000):
        later.start(lambda state: None)  # any runner's next start lets go of it
    assert freed == [threading.main_thread().name]


def test_wait_cancels_and_joins_for_quitting(qtbot: Any) -> None:
    runner = TaskRunner()
    threads: list[threading.Thread] = []

    def task(state: TaskState) -> None:
        threads.append(threading.current_thread())
        while not state.cancelled:
            time.sleep(0.005)

    runner.start(task)
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert runner.wait(5000)
    assert not threads[0].is_alive()
    assert not runner.busy


def test_a_synchronous_runner_for_tests(sync_tasks: None) -> None:
    runner = TaskRunner()
    got = _outcomes(runner)
    names: list[str] = []

    def task(state: TaskState) -> str:
        names.append(threading.current_thread().name)
        return "now"

    runner.start(task, key=7)
    assert got == [("finished", (7, "now"))]  # delivered inside start()
    assert names == [threading.main_thread().name]
    # and per runner, without the fixture
    other = TaskRunner(executor=tasks.run_inline)
    other_got = _outcomes(other)
    other.start(lambda state: state.report(1, 1) or "x")
    assert other_got == [("finished", (None, "x"))]


def test_report_raises_once_cancelled() -> None:
    state = TaskState()
    state.report(1, 10)
    state.cancel()
    with pytest.raises(Cancelled):
        state.report(2, 10)
    assert state.take()[0] == (2, 10)


# --- the collector -----------------------------------------------------------------


def test_cycles_are_collected_on_the_gui_thread_only(qapp: Any) -> None:
    collector = install_collector(qapp)
    assert isinstance(collector, Collector)
    assert install_collector(qapp) is collector  # one per application
    assert not gc.isenabled()  # no collection starts in a worker thread
    seen: list[str] = []

    class Cycle:
        def __del__(self) -> None:
            seen.append(threading.current_thread().name)

    def make_garbage() -> None:
        for _ in range(5000):  # far past the young generation's threshold
            a = Cycle()
            a.me = a  # type: ignore[attr-defined]

    worker = threading.Thread(target=make_garbage, name="worker")
    worker.start()
    worker.join()
    assert seen == []  # the worker crossed the threshold, but nothing was collected there
    assert collector.collect() > 0  # the young generation, on the GUI thread
    assert set(seen) == {threading.main_thread().name}


def test_settle_frees_the_old_register_and_freezes_the_new(qapp: Any) -> None:
    collector = install_collector(qapp)

    class Old:
        pass

    old = Old()
    old.me = old  # type: ignore[attr-defined]
    gc.freeze()  # as if an earlier register had been frozen with it
    alive = [old]
    del old, alive
    found = collector.settle()
    assert found >= 1  # unfrozen and collected: an old register's cycles go
    assert gc.get_freeze_count() > 0  # what is left is frozen: later collections skip it
    gc.unfreeze()


def test_the_collector_refuses_to_run_on_a_worker(qapp: Any) -> None:
    collector = install_collector(qapp)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            collector.collect()
        except RuntimeError as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert len(errors) == 1 and "GUI thread" in str(errors[0])


def test_the_gui_tests_fail_when_a_collection_starts_on_a_worker(tmp_path: Path) -> None:
    """The guard in tests/gui/conftest.py turns a collection on another thread into a
    failed test (run in a pytest of its own, over a copy of that conftest)."""
    conftest = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")
    (tmp_path / "conftest.py").write_text(conftest, encoding="utf-8")
    (tmp_path / "test_worker_collects.py").write_text(
        textwrap.dedent(
            """
            import gc
            import threading


            def test_collects_on_a_worker(qapp):
                worker = threading.Thread(target=gc.collect, name="culprit")
                worker.start()
                worker.join()


            def test_collects_on_the_gui_thread(qapp):
                gc.collect()
            """
        ),
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "2 passed, 1 error" in result.stdout, result.stdout[-3000:]
    assert "a cycle collection started on ['culprit']" in result.stdout


# --- the reference-count guard -----------------------------------------------------

_CHILD = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QCoreApplication, QObject
app = QCoreApplication([])
calls = sys.getrefcount(None) + 1000  # more calls than None has references
if sys.argv[1] == "guard":
    from ui.refcounts import guard_singletons
    guard_singletons()
o = QObject()
for _ in range(calls):
    o.setObjectName("x")
print("survived", flush=True)
"""


def test_the_binding_defect_and_the_guard_in_a_child_process() -> None:
    """Each call of a method returning nothing takes a reference from None on the
    binding this project runs on; more calls than None has references abort the
    interpreter (none_dealloc), unless the guard gave None its reserve."""
    probe = probe_binding()
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONFAULTHANDLER="1")

    def run(mode: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _CHILD, mode],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    guarded = run("guard")
    assert guarded.returncode == 0, guarded.stderr[-2000:]
    assert "survived" in guarded.stdout
    bare = run("bare")
    if probe.leaks and singletons_mortal():
        assert bare.returncode != 0
        assert "none_dealloc" in bare.stderr
    else:  # a fixed binding or immortal singletons: nothing to guard against
        assert bare.returncode == 0, bare.stderr[-2000:]


def test_the_guard_gives_the_singletons_their_reserve(qapp: Any) -> None:
    probe = probe_binding()
    assert probe.none_per_void_call <= 0 and probe.true_per_emit <= 0
    guard_singletons()
    if probe.leaks and singletons_mortal():
        assert sys.getrefcount(None) > 1 << 59
        assert sys.getrefcount(True) > 1 << 59
    else:
        assert guard_singletons() is None or not probe.leaks
