"""The packaged program: build_scripts/build.py builds the one-folder app into a temp
folder (PyInstaller, pruning, link check), then the frozen executable runs its smoke test
on a generated SOR2 zip and on the real XML cuts, opens a file given on its command line,
and turns a broken file into one sentence and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.build

QT_NOISE = "This plugin does not support propagateSizeHints()"


def lines(res: subprocess.CompletedProcess[str]) -> list[str]:
    out = (res.stdout + "\n" + res.stderr).splitlines()
    return [x for x in out if x.strip() and x.strip() != QT_NOISE]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the app folder, the build script's output)."""
    dist = tmp_path_factory.mktemp("frozen") / "dist"
    res = subprocess.run(
        [sys.executable, str(ROOT / "build_scripts" / "build.py"), "--dist", str(dist)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    output = res.stdout + res.stderr
    assert res.returncode == 0, output[-3000:]
    return dist / "SORViewer", output


@pytest.fixture(scope="module")
def exe(build: tuple[Path, str]) -> Path:
    app, _ = build
    return app / ("SORViewer.exe" if sys.platform == "win32" else "SORViewer")


def run(exe: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **extra_env)
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_build_prunes_and_keeps_every_needed_library(build: tuple[Path, str]) -> None:
    app, output = build
    internal = app / "_internal"
    assert "folder size:" in output
    assert "error:" not in output  # build.py reports a pruned library someone links
    for gone in ("PySide6/Qt/qml", "pyarrow/tests", "pandas/tests"):
        assert not (internal / gone).exists(), gone
    # of Qt's translations only the Danish catalogue the app loads stays
    kept = sorted(p.name for p in (internal / "PySide6/Qt/translations").iterdir())
    assert kept == ["qtbase_da.qm"]
    assert not list(internal.glob("pyarrow/libarrow_flight*"))
    # the resources ship as package data, found through importlib.resources
    assert (internal / "resources" / "app_icon_256.png").is_file()


def test_smoke_test_on_a_generated_zip(exe: Path, tmp_path: Path) -> None:
    from sorviewer.synthetic import generate

    path = tmp_path / "Sor_complete.zip"
    generate(str(path), entities=2000, seed=11)
    res = run(exe, "--smoke-test", str(path))
    out = lines(res)
    assert res.returncode == 0, out
    assert len(out) == 1 and out[0].startswith("smoke test ok: Sor_complete.zip:"), out
    assert "units exported to csv and xlsx" in out[0]
    assert "Qt's Danish texts load" in out[0]


REAL = [
    "sor_xml_v1_real.zip",
    "sor_xml_v2.0.0/Sor_small.xml",
    "sor_xml_v1.0.0/ONE_SYGEHUS.xml",
]


@pytest.mark.parametrize("name", REAL)
def test_smoke_test_on_real_xml(exe: Path, name: str) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("the real SOR XML cuts (../shared/samples) are not on this machine")
    res = run(exe, "--smoke-test", str(SAMPLES / name))
    out = lines(res)
    assert res.returncode == 0, out
    assert len(out) == 1 and out[0].startswith("smoke test ok:"), out


def test_file_on_the_command_line_is_opened(exe: Path, tmp_path: Path) -> None:
    from sorviewer.synthetic import generate

    path = tmp_path / "Sor_complete.zip"
    generate(str(path), entities=300, seed=5)
    res = run(exe, str(path), SORVIEWER_PROBE_OPENED="1")
    out = lines(res)
    assert res.returncode == 0, out
    assert any(x.startswith("opened Sor_complete.zip:") for x in out), out


def test_broken_files_give_one_sentence(exe: Path, tmp_path: Path) -> None:
    corrupt = tmp_path / "sor.zip"
    corrupt.write_bytes(b"PK\x03\x04" + os.urandom(3000))
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("notes.txt", "nothing about SOR here")
    for path in (corrupt, other):
        before = path.read_bytes()
        res = run(exe, "--smoke-test", str(path))
        out = lines(res)
        assert res.returncode == 1, out
        assert len(out) == 1 and out[0].startswith("smoke test failed: "), out
        assert "Traceback" not in res.stderr
        assert path.read_bytes() == before  # the opened file is never modified


def test_measure_open_in_the_frozen_program(exe: Path, tmp_path: Path) -> None:
    import json

    from sorviewer.synthetic import generate

    path = tmp_path / "Sor_complete.zip"
    generate(str(path), entities=300, seed=5)
    res = run(exe, "--measure-open", str(path), SORVIEWER_CACHE_DIR=str(tmp_path / "cache"))
    out = lines(res)
    assert res.returncode == 0, out
    doc = json.loads(res.stdout.strip())
    assert set(doc) == {"shown_s", "usable_s", "peak_rss_mb"}
    assert 0 < doc["shown_s"] <= doc["usable_s"], doc
