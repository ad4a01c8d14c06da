"""build_scripts/build.py: what it prunes on each platform's folder layout."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build", ROOT / "build_scripts" / "build.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize(
    ("platform", "unused", "used"),
    [
        ("linux", "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6"),
        ("win32", "PySide6/Qt6Quick.dll", "PySide6/Qt6Widgets.dll"),
        (
            "darwin",
            "PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick",
            "PySide6/Qt/lib/QtWidgets.framework/Versions/A/QtWidgets",
        ),
    ],
)
def test_each_platform_prunes_its_own_layout(
    build: ModuleType, platform: str, unused: str, used: str
) -> None:
    patterns = build.prune_patterns(platform)
    assert build.is_pruned(unused, patterns)
    assert not build.is_pruned(used, patterns)
    qt = build.qt_layout(platform)[0]
    assert build.is_pruned(f"{qt}/translations/qtbase_de.qm", patterns)


def test_the_danish_qt_catalogue_is_kept(build: ModuleType) -> None:
    qt = build.qt_layout(sys.platform)[0]
    assert not build.is_pruned(f"{qt}/translations/qtbase_da.qm")


def test_only_linux_prunes_what_only_its_link_check_can_prove(build: ModuleType) -> None:
    # Windows and macOS have no link check in the build: QtNetwork stays there
    assert build.is_pruned("PySide6/Qt/lib/libQt6Network.so.6", build.prune_patterns("linux"))
    assert not build.is_pruned("PySide6/Qt6Network.dll", build.prune_patterns("win32"))


def test_the_program_path_follows_the_platform(
    build: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    app = str(tmp_path / "SORViewer")
    monkeypatch.setattr(build.sys, "platform", "win32")
    assert build.executable(app).endswith("SORViewer.exe")
    monkeypatch.setattr(build.sys, "platform", "linux")
    assert build.executable(app) == str(tmp_path / "SORViewer" / "SORViewer")
