"""The file named on the command line is read on its own thread while the window is
made (ui.loading.Prefetch): the load task takes that register, or its error, once."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from sorviewer.errors import LoadCancelled, LoadError
from sorviewer.synthetic import generate
from ui.loading import Prefetch, default_loader


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(tmp_path / "cache"))


def test_the_prefetched_register_is_taken_once(tmp_path: Path) -> None:
    path = tmp_path / "Sor_complete.zip"
    generate(str(path), entities=300, seed=3)
    pre = Prefetch()
    assert pre.start(str(path))
    assert not pre.start(str(path))  # one at a time
    assert pre.take(str(tmp_path / "other.zip"), lambda: False) == (False, None)
    taken, reg = pre.take(str(path), lambda: False)
    assert taken and len(reg.ids) == 300
    assert reg.cache_key is not None  # not written yet: the window writes it after
    day = dt.date(2026, 1, 1)
    assert reg.roots(day)
    assert pre.take(str(path), lambda: False) == (False, None)  # handed over once


def test_the_load_task_takes_the_prefetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import loading

    path = tmp_path / "Sor_complete.zip"
    generate(str(path), entities=300, seed=4)
    pre = Prefetch()
    monkeypatch.setattr(loading, "prefetch", pre)
    assert pre.start(str(path))
    seen: list[tuple[int, int]] = []
    reg = default_loader(str(path), lambda d, t: seen.append((d, t)), lambda: False)
    assert len(reg.ids) == 300 and seen[-1] == (1000, 1000)


def test_a_file_that_cannot_be_read_fails_the_load_task(tmp_path: Path) -> None:
    path = tmp_path / "Sor_complete.zip"
    path.write_bytes(b"not a zip at all")
    pre = Prefetch()
    assert pre.start(str(path))
    with pytest.raises(LoadError):
        pre.take(str(path), lambda: False)
    assert not Prefetch().start(str(tmp_path / "missing.zip"))  # only files


def test_waiting_for_the_prefetch_can_be_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sorviewer

    release = threading.Event()
    real = sorviewer.load

    def slow(path: str, **kw: object) -> object:
        release.wait(10)
        return real(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(sorviewer, "load", slow)
    path = tmp_path / "Sor_complete.zip"
    generate(str(path), entities=50, seed=5)
    pre = Prefetch()
    assert pre.start(str(path))
    with pytest.raises(LoadCancelled):
        pre.take(str(path), lambda: True)
    release.set()
    taken, reg = pre.take(str(path), lambda: False)  # still there for a second try
    assert taken and len(reg.ids) == 50
