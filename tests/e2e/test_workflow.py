"""The release workflow (.github/workflows/build.yml) cannot run on the project's own
machines, so it is checked here: actionlint (installed by the test command) must find
nothing, and the workflow must build on all three platforms with the same build script,
smoke-test the frozen program and upload what it built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint() -> str:
    """The actionlint program of this environment (the test extras install it)."""
    here = Path(sys.executable).parent / ("actionlint.exe" if os.name == "nt" else "actionlint")
    found = str(here) if here.exists() else shutil.which("actionlint")
    assert found, "actionlint is missing: run the test command, which installs it"
    return found


def test_actionlint_finds_nothing() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files, "no workflow found"
    res = subprocess.run(
        [actionlint(), "-no-color", *files], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_actionlint_would_catch_a_mistake(tmp_path: Path) -> None:
    # the check is real: a misspelt key and an unknown matrix value are reported
    text = (WORKFLOWS / "build.yml").read_text(encoding="utf-8")
    broken = text.replace("runs-on: ${{ matrix.os }}", "runs-on: ${{ matrix.oss }}", 1)
    assert broken != text
    bad = tmp_path / "broken.yml"
    bad.write_text(broken, encoding="utf-8")
    res = subprocess.run([actionlint(), "-no-color", str(bad)], capture_output=True, text=True)
    assert res.returncode != 0 and "oss" in res.stdout


def test_builds_every_platform_with_the_one_build_script() -> None:
    text = (WORKFLOWS / "build.yml").read_text(encoding="utf-8")
    for runner in ("windows-latest", "macos-latest", "ubuntu-latest"):
        assert runner in text
    assert "python build_scripts/build.py --archive" in text
    assert text.count("--smoke ") >= 2  # a SOR2 zip and an XML sor.zip
    assert "actions/upload-artifact@" in text
    assert "workflow_dispatch" in text and 'tags: ["v*"]' in text
