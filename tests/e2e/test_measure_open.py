"""`main.py --measure-open FILE`: one JSON line with the times and the peak memory of
opening FILE in the window, first with an empty cache and then from the cache; a file
that is not there is one sentence and exit code 1. No timing is asserted, only that
the numbers are there and make sense."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

QT_NOISE = "This plugin does not support propagateSizeHints()"


def measure(path: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SORVIEWER_CACHE_DIR=str(cache))
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--measure-open", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def check_line(res: subprocess.CompletedProcess[str]) -> dict[str, float]:
    assert res.returncode == 0, res.stderr[-2000:]
    out = [x for x in res.stdout.splitlines() if x.strip()]
    assert len(out) == 1, out
    doc = json.loads(out[0])
    assert set(doc) == {"shown_s", "usable_s", "peak_rss_mb"}
    assert all(isinstance(v, float) for v in doc.values()), doc
    assert 0 < doc["shown_s"] <= doc["usable_s"] < 300, doc
    assert 10 < doc["peak_rss_mb"] < 64_000, doc
    return doc


def test_measure_open_first_time_and_from_the_cache(tmp_path: Path) -> None:
    from sorviewer.synthetic import generate

    path = tmp_path / "Sor_complete.zip"
    generate(str(path), entities=300, seed=5)
    cache = tmp_path / "cache"
    check_line(measure(path, cache))
    written = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert len(written) == 1 and (written[0] / "meta.json").is_file()
    check_line(measure(path, cache))


def test_measure_open_of_a_missing_file_says_so(tmp_path: Path) -> None:
    res = measure(tmp_path / "nothing.zip", tmp_path / "cache")
    assert res.returncode == 1
    assert res.stdout.strip() == ""
    err = [x for x in res.stderr.splitlines() if x.strip() and x.strip() != QT_NOISE]
    assert len(err) == 1 and "nothing.zip" in err[0], err


def test_a_file_on_the_command_line_opens_through_the_prefetch(tmp_path: Path) -> None:
    from sorviewer.synthetic import generate

    path = tmp_path / "Sor complete æøå.zip"
    generate(str(path), entities=300, seed=6)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SORVIEWER_CACHE_DIR=str(tmp_path / "cache"),
        SORVIEWER_PROBE_OPENED="1",
    )
    for _ in range(2):  # and a second start of the same file
        res = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), str(path)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
            check=False,
        )
        assert res.returncode == 0, res.stderr[-2000:]
        assert res.stdout.startswith(f"opened {path.name}: "), res.stdout
