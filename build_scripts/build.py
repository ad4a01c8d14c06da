"""Build the one-folder application: `python build_scripts/build.py [--no-prune] [--smoke FILE]`.

Runs PyInstaller with build_scripts/sorviewer.spec into dist/SORViewer/, removes what
PyInstaller collects but the app never loads (unused Qt libraries, plugins and
translations, pyarrow components), prints the folder size and what dominates it, and,
with --smoke FILE, runs the frozen program's smoke test on FILE.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = os.path.join(ROOT, "dist")
APP = os.path.join(DIST, "SORViewer")

# Paths (globs, relative to the app folder's _internal/) that the app never loads.
PRUNE = [
    "PySide6/Qt/translations/*",
    "PySide6/Qt/lib/libQt6Quick*",
    "PySide6/Qt/lib/libQt6Qml*",
    "PySide6/Qt/lib/libQt6Pdf*",
    "PySide6/Qt/lib/libQt6VirtualKeyboard*",
    "PySide6/Qt/lib/libQt6ShaderTools*",
    "PySide6/Qt/lib/libQt6Designer*",
    "PySide6/Qt/lib/libQt6Sql*",
    "PySide6/Qt/lib/libQt6Test*",
    "PySide6/Qt/lib/libQt6Help*",
    "PySide6/Qt/lib/libQt6LabsStyleKit*",
    "PySide6/Qt/plugins/qmltooling",
    "PySide6/Qt/plugins/sqldrivers",
    "PySide6/Qt/plugins/designer",
    "PySide6/Qt/plugins/networkinformation",
    "PySide6/Qt/plugins/tls",
    "PySide6/Qt/plugins/platforminputcontexts",
    "PySide6/Qt/plugins/generic",
    "PySide6/Qt/plugins/egldeviceintegrations",
    "PySide6/Qt/plugins/wayland-*",
    "PySide6/Qt/plugins/platforms/libqwayland*",
    "PySide6/Qt/plugins/platforms/libqvnc*",
    "PySide6/Qt/plugins/platforms/libqeglfs*",
    "PySide6/Qt/plugins/platforms/libqlinuxfb*",
    "PySide6/Qt/plugins/platforms/libqminimal*",
    "PySide6/Qt/qml",
    "pyarrow/libarrow_flight*",
    "pyarrow/libarrow_substrait*",
    "pyarrow/libarrow_dataset*",
    "pyarrow/libparquet*",
    "pyarrow/libarrow_acero*",
    "pyarrow/libarrow_python_flight*",
    "pyarrow/libarrow_python_parquet*",
    "pyarrow/include",
    "pyarrow/src",
    "pyarrow/tests",
    "pandas/tests",
    "numpy/tests",
    "*/__pycache__",
]
KEEP_TRANSLATIONS = ("qtbase_da.qm",)


def version() -> str:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def folder_size(path: str) -> int:
    total = 0
    for base, _dirs, files in os.walk(path):
        for name in files:
            p = os.path.join(base, name)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def prune(app: str) -> int:
    internal = os.path.join(app, "_internal")
    removed = 0
    for base, dirs, files in os.walk(internal, topdown=True):
        rel_base = os.path.relpath(base, internal).replace(os.sep, "/")
        for name in list(dirs) + files:
            rel = f"{rel_base}/{name}" if rel_base != "." else name
            if name in KEEP_TRANSLATIONS:
                continue
            if any(fnmatch.fnmatch(rel, pat) for pat in PRUNE):
                p = os.path.join(base, name)
                if os.path.isdir(p) and not os.path.islink(p):
                    removed += folder_size(p)
                    shutil.rmtree(p)
                    dirs.remove(name)
                else:
                    removed += os.path.getsize(p) if not os.path.islink(p) else 0
                    os.remove(p)
    return removed


def biggest(app: str, n: int = 12) -> list[tuple[int, str]]:
    sizes: dict[str, int] = {}
    internal = os.path.join(app, "_internal")
    for entry in os.listdir(internal):
        p = os.path.join(internal, entry)
        sizes[entry] = folder_size(p) if os.path.isdir(p) else os.path.getsize(p)
    qt_lib = os.path.join(internal, "PySide6", "Qt", "lib")
    if os.path.isdir(qt_lib):
        for entry in os.listdir(qt_lib):
            sizes[f"PySide6/Qt/lib/{entry}"] = os.path.getsize(os.path.join(qt_lib, entry))
    return sorted(((s, k) for k, s in sizes.items()), reverse=True)[:n]


def executable() -> str:
    exe = "SORViewer.exe" if sys.platform == "win32" else "SORViewer"
    return os.path.join(APP, exe)


def smoke(file: str) -> int:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.perf_counter()
    res = subprocess.run(
        [executable(), "--smoke-test", file], env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - t0
    out = f"{res.stdout.strip()} {res.stderr.strip()}".strip()
    print(f"smoke test ({took:.2f} s): exit {res.returncode}: {out}")
    return res.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-prune", action="store_true")
    ap.add_argument("--smoke", metavar="FILE", action="append", default=[])
    args = ap.parse_args()
    env = dict(os.environ, SORVIEWER_VERSION=version())
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            DIST,
            "--workpath",
            os.path.join(ROOT, "build", "pyinstaller"),
            os.path.join(ROOT, "build_scripts", "sorviewer.spec"),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    print(f"built {APP} in {time.perf_counter() - t0:.0f} s")
    before = folder_size(APP)
    if not args.no_prune:
        removed = prune(APP)
        print(f"pruned {removed / 2**20:.1f} MB")
    print(
        f"folder size: {folder_size(APP) / 2**20:.1f} MB (before pruning {before / 2**20:.1f} MB)"
    )
    for size, name in biggest(APP):
        print(f"  {size / 2**20:7.1f} MB  {name}")
    status = 0
    for f in args.smoke:
        status |= smoke(f)
    return status


if __name__ == "__main__":
    sys.exit(main())
