"""What Windows users need of file handling, checked where it can be checked here.

Windows locks a file while a program holds it open or mapped, and users download each
night's file over the same name: the opened file must be let go as soon as it is read.
Paths like C:\\Users\\Søren\\Skrivebord\\SOR filer\\ (Danish letters, spaces) must work for
the file, the cache and exports. Open handles and mappings are read from /proc, which
only Linux has; the path tests run everywhere.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import sorviewer
from sorviewer.export import write_export
from sorviewer.synthetic import generate

HAS_PROC = Path("/proc/self/maps").exists()


def held(path: Path) -> list[str]:
    """How this process still holds `path`: open descriptors and memory mappings."""
    real = os.path.realpath(path)
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == real:
                out.append(f"fd {fd}")
        except OSError:
            continue
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        out += [f"mapped: {line.strip()}" for line in maps if line.rstrip().endswith(real)]
    return out


@pytest.fixture
def danish_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A download folder and a cache folder with Danish letters and spaces."""
    home = tmp_path / "Søren Ærø" / "Skrivebord"
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(home / "cache på æøå"))
    folder = home / "SOR filer"
    folder.mkdir(parents=True)
    return folder


@pytest.mark.skipif(not HAS_PROC, reason="open handles are read from /proc (Linux only)")
@pytest.mark.parametrize("fmt", ["sor2-zip", "sor2-csv", "sor-xml"])
def test_the_opened_file_is_let_go_after_the_load(danish_dirs: Path, fmt: str) -> None:
    name = {"sor2-zip": "Sor_complete.zip", "sor2-csv": "SorEntity_daily.csv"}.get(fmt, "sor.zip")
    path = danish_dirs / name
    generate(str(path), entities=300, seed=5, fmt=fmt)
    for use_cache in (False, True, True):  # fresh, written to the cache, read from it
        reg = sorviewer.load(str(path), use_cache=use_cache)
        assert len(reg.ids) > 0
        assert held(path) == [], f"{fmt}, cache={use_cache}"


def test_danish_paths_with_spaces_for_file_cache_and_export(danish_dirs: Path) -> None:
    path = danish_dirs / "Sor_complete.zip"
    generate(str(path), entities=300, seed=6)
    first = sorviewer.load(str(path))
    cache_root = Path(os.environ["SORVIEWER_CACHE_DIR"])
    assert any(cache_root.iterdir()), "the cache was not written under a Danish path"
    again = sorviewer.load(str(path))
    assert list(again.ids) == list(first.ids)
    day = dt.date(2026, 1, 1)
    for fmt in ("csv", "xlsx", "json"):
        out = danish_dirs / f"udtræk på æøå.{fmt}"
        n = write_export(again, day, str(out), fmt)
        assert n > 0 and out.stat().st_size > 0


def test_a_file_replaced_under_the_same_name_is_read_again(danish_dirs: Path) -> None:
    # the nightly download replaces yesterday's file under the same name: the cache must
    # not hand back yesterday's register
    path = danish_dirs / "Sor_complete.zip"
    generate(str(path), entities=300, seed=7)
    before = sorviewer.load(str(path))
    generate(str(path), entities=320, seed=8)
    after = sorviewer.load(str(path))
    assert list(after.ids) != list(before.ids)


@pytest.mark.skipif(not HAS_PROC, reason="mappings are read from /proc (Linux only)")
def test_the_cache_is_let_go_after_a_reopen(danish_dirs: Path) -> None:
    # Windows cannot delete, evict or rename a file that is mapped or open: the register
    # read from the cache holds none of its files, and the folder can go while it is open
    path = danish_dirs / "Sor_complete.zip"
    generate(str(path), entities=300, seed=9)
    sorviewer.load(str(path))
    reg = sorviewer.load(str(path))  # from the cache
    root = Path(os.environ["SORVIEWER_CACHE_DIR"])
    (folder,) = [p for p in root.iterdir() if not p.name.startswith(".")]
    real = os.path.realpath(root)
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        mapped = [line for line in maps if real in line]
    assert mapped == []
    for item in folder.iterdir():
        assert held(item) == [], item
    moved = root / "moved away"
    folder.rename(moved)
    import shutil

    shutil.rmtree(moved)
    assert not moved.exists()
    day = dt.date(2026, 1, 1)
    assert reg.roots(day) and reg.search("a", day, limit=5) is not None
