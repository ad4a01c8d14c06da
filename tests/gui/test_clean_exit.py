"""Quitting is clean: a generated register opened in the real window, dates moved,
panel workers run and superseded, then quit (with a worker still running), several
times over, each in a child process with faulthandler on (tests/gui/exit_child.py).
Any fatal error ("Fatal Python error: none_dealloc ... Garbage-collecting" was seen
twice with the full register), a traceback or a nonzero exit fails the test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = 3
ROUNDS = 30


@pytest.fixture(scope="module")
def register_zip(tmp_path_factory: pytest.TempPathFactory) -> str:
    from sorviewer import synthetic

    path = tmp_path_factory.mktemp("exit") / "sor_4000.zip"
    synthetic.generate(path, entities=4000, seed=11)
    return str(path)


@pytest.mark.slow
def test_open_move_dates_run_workers_and_quit_cleanly(register_zip: str, tmp_path: Path) -> None:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        QT_QPA_PLATFORM="offscreen",
        PYTHONFAULTHANDLER="1",
        XDG_CACHE_HOME=str(tmp_path / "cache"),  # the load cache stays in the test
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    for run in range(RUNS):
        result = subprocess.run(
            [sys.executable, "-m", "tests.gui.exit_child", register_zip, str(ROUNDS)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=300,
            check=False,
        )
        report = f"run {run}: exit {result.returncode}\n{result.stdout}\n{result.stderr[-4000:]}"
        assert result.returncode == 0, report
        assert "Fatal Python error" not in result.stderr, report
        assert "Traceback" not in result.stderr, report
        assert "closed cleanly" in result.stdout, report
        assert f"{ROUNDS} rounds" in result.stdout, report
