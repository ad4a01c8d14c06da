"""Build the one-folder application: `python build_scripts/build.py [--smoke FILE] ...`.

Runs PyInstaller with build_scripts/sorviewer.spec into dist/SORViewer/, removes what
PyInstaller collects but the app never loads (unused Qt libraries, plugins and
translations, pyarrow components), strips debug symbols (Linux), checks that no library
a kept one needs was pruned, prints the folder size and what dominates it, and, with
--smoke FILE (repeatable), runs the frozen program's smoke test on FILE. --dist DIR
builds into DIR/SORViewer/ instead of dist/SORViewer/ (the e2e test builds in a temp dir).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = os.path.join(ROOT, "dist")
APP = os.path.join(DIST, "SORViewer")
MB = 2**20

# Paths (globs, relative to the app folder's _internal/, "/" separated) that the app
# never loads. A library another kept library links against must stay: libarrow_python
# links libparquet, libarrow_dataset, libarrow_acero and libarrow_substrait, so those stay
# although the app never reads Parquet. check_links() catches a mistake here.
PRUNE = [
    # Qt: translations but the one catalogue the app loads (KEEP), Quick/QML, unused libs
    "PySide6/Qt/translations/*",
    "PySide6/Qt/qml",
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
    "PySide6/Qt/lib/libQt6Network*",
    "PySide6/Qt/lib/libQt6EglF*",
    "PySide6/Qt/lib/libQt6Wayland*",
    "PySide6/Qt/lib/libQt6WlShell*",
    # Qt plugins: keep xcb, offscreen (smoke test), image formats the icons use, svg
    "PySide6/Qt/plugins/qmltooling",
    "PySide6/Qt/plugins/sqldrivers",
    "PySide6/Qt/plugins/designer",
    "PySide6/Qt/plugins/networkinformation",
    "PySide6/Qt/plugins/tls",
    "PySide6/Qt/plugins/platforminputcontexts",
    "PySide6/Qt/plugins/generic",
    "PySide6/Qt/plugins/egldeviceintegrations",
    "PySide6/Qt/plugins/wayland-*",
    # the GTK theme plugin needs the system's GTK 3, which is not bundled anyway
    "PySide6/Qt/plugins/platformthemes/libqgtk3*",
    "PySide6/Qt/plugins/platforms/libqwayland*",
    "PySide6/Qt/plugins/platforms/libqvnc*",
    "PySide6/Qt/plugins/platforms/libqeglfs*",
    "PySide6/Qt/plugins/platforms/libqlinuxfb*",
    "PySide6/Qt/plugins/platforms/libqminimal*",
    "PySide6/Qt/plugins/platforms/libqvkkhrdisplay*",
    "PySide6/Qt/plugins/imageformats/libqtiff*",
    "PySide6/Qt/plugins/imageformats/libqwebp*",
    "PySide6/Qt/plugins/imageformats/libqjpeg*",
    "PySide6/Qt/plugins/imageformats/libqgif*",
    "PySide6/Qt/plugins/imageformats/libqtga*",
    "PySide6/Qt/plugins/imageformats/libqwbmp*",
    "PySide6/Qt/plugins/imageformats/libqicns*",
    "PySide6/Qt/plugins/imageformats/libqpdf*",
    # pyarrow: Flight, S3/GCS/Azure/HDFS file systems, ORC, Substrait, Parquet encryption
    "pyarrow/libarrow_flight*",
    "pyarrow/libarrow_python_flight*",
    "pyarrow/libarrow_python_parquet_encryption*",
    "pyarrow/libarrow_s3*",
    "pyarrow/_flight*",
    "pyarrow/_s3fs*",
    "pyarrow/_gcsfs*",
    "pyarrow/_azurefs*",
    "pyarrow/_hdfs*",
    "pyarrow/_orc*",
    "pyarrow/_dataset_orc*",
    "pyarrow/_substrait*",
    "pyarrow/_parquet_encryption*",
    "pyarrow/_dataset_parquet_encryption*",
    "pyarrow/include",
    "pyarrow/src",
    "pyarrow/tests",
    "pyarrow/libarrow_python.so",  # the loader asks for libarrow_python.so.<N>
    "pyarrow/libarrow_python.so.*.*.*",
    "pyarrow/*.pxd",
    "pyarrow/*.pyx",
    "pyarrow/*.pxi",
    "pyarrow/*.h",
    "pyarrow/*.cc",
    "pandas/tests",
    "numpy/tests",
    "numpy/*/tests",
    "numpy/_core/include",
    "numpy/_core/lib",
    "*/__pycache__",
]


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


def size_of(path: str) -> int:
    if os.path.islink(path):
        return 0
    return folder_size(path) if os.path.isdir(path) else os.path.getsize(path)


#: exceptions to PRUNE: Qt's Danish texts for its own dialogs (ui.app.set_qt_language)
KEEP = ["PySide6/Qt/translations/qtbase_da.qm"]


def prune(app: str) -> int:
    """Delete what PRUNE names, then the links that pointed at it; bytes removed."""
    internal = os.path.join(app, "_internal")
    removed = 0
    for base, dirs, files in os.walk(internal, topdown=True):
        rel_base = os.path.relpath(base, internal).replace(os.sep, "/")
        for name in list(dirs) + files:
            rel = f"{rel_base}/{name}" if rel_base != "." else name
            if not any(fnmatch.fnmatch(rel, pat) for pat in PRUNE):
                continue
            if any(fnmatch.fnmatch(rel, keep) for keep in KEEP):
                continue
            p = os.path.join(base, name)
            removed += size_of(p)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
                dirs.remove(name)
            else:
                os.remove(p)
    # PyInstaller puts links to the libraries at the top of _internal/
    for base, _dirs, files in os.walk(internal):
        for name in files:
            p = os.path.join(base, name)
            if os.path.islink(p) and not os.path.exists(p):
                os.remove(p)
    return removed


def is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def elf_files(app: str) -> list[str]:
    internal = os.path.join(app, "_internal")
    out = []
    for base, _dirs, files in os.walk(internal):
        for name in files:
            p = os.path.join(base, name)
            if not os.path.islink(p) and is_elf(p):
                out.append(p)
    return sorted(out)


def strip_binaries(app: str) -> int:
    """Drop symbol tables and debug info from the bundled libraries (not the executable:
    the bootloader reads its archive from it). Bytes saved; 0 without `strip`."""
    tool = shutil.which("strip")
    if sys.platform != "linux" or tool is None:
        return 0
    saved = 0
    for p in elf_files(app):
        # auditwheel rewrote the libraries in *.libs/ (numpy's OpenBLAS) with patchelf;
        # strip then leaves load segments the loader rejects as not page-aligned
        if any(part.endswith(".libs") for part in p.split(os.sep)):
            continue
        before = os.path.getsize(p)
        res = subprocess.run([tool, "--strip-unneeded", p], capture_output=True, text=True)
        if res.returncode == 0:
            saved += before - os.path.getsize(p)
    return saved


def missing_links(app: str) -> dict[str, set[str]]:
    """Libraries each bundled ELF file needs that the loader cannot find, with the
    search path the bootloader sets up (_internal/ first). Empty off Linux."""
    if sys.platform != "linux" or shutil.which("ldd") is None:
        return {}
    internal = os.path.join(app, "_internal")
    env = dict(os.environ, LD_LIBRARY_PATH=internal)
    out: dict[str, set[str]] = {}
    for p in elf_files(app):
        res = subprocess.run(["ldd", p], capture_output=True, text=True, env=env)
        gone = set(re.findall(r"^\s*(\S+) => not found", res.stdout, re.M))
        if gone:
            out[os.path.relpath(p, internal)] = gone
    return out


# Top-level libraries loaded by name at run time (dlopen), which ldd cannot see: the
# bootloader loads libpython, Qt loads libdbus, GL/EGL and the xcb helpers on demand.
DLOPENED = ("libpython*", "libdbus-1*", "libGL*", "libEGL*", "libxcb*", "libX*", "libxkb*")


def prune_orphans(app: str) -> list[tuple[str, int]]:
    """Delete the loose libraries at the top of _internal/ that nothing kept needs.

    PyInstaller collects every library any collected binary links, including those of
    plugins pruned afterwards (the GTK theme plugin brings cairo, pango and GLib). The
    needed set is what ldd resolves for every other ELF file (ldd lists the whole
    closure); a top-level regular file outside it, and not in DLOPENED, goes. Returns
    (name, bytes) of each removed file; nothing off Linux."""
    if sys.platform != "linux" or shutil.which("ldd") is None:
        return []
    internal = os.path.join(app, "_internal")
    env = dict(os.environ, LD_LIBRARY_PATH=internal)
    candidates = {
        name
        for name in os.listdir(internal)
        if os.path.isfile(os.path.join(internal, name))
        and not os.path.islink(os.path.join(internal, name))
        and is_elf(os.path.join(internal, name))
        and not any(fnmatch.fnmatch(name, pat) for pat in DLOPENED)
    }
    roots = [p for p in elf_files(app) if os.path.dirname(p) != internal]
    roots.append(executable(app))
    roots += [
        os.path.join(internal, n)
        for n in os.listdir(internal)
        if any(fnmatch.fnmatch(n, pat) for pat in DLOPENED)
        and os.path.isfile(os.path.join(internal, n))
    ]
    needed: set[str] = set()
    for p in roots:
        res = subprocess.run(["ldd", p], capture_output=True, text=True, env=env)
        for path in re.findall(r"=> (\S+) \(", res.stdout):
            if os.path.dirname(path) == internal:
                needed.add(os.path.basename(path))
    removed = []
    for name in sorted(candidates - needed):
        p = os.path.join(internal, name)
        removed.append((name, os.path.getsize(p)))
        os.remove(p)
    return removed


def biggest(app: str, n: int = 10) -> list[tuple[int, str]]:
    """The n largest files in the folder."""
    internal = os.path.join(app, "_internal")
    sizes = []
    for base, _dirs, files in os.walk(app):
        for name in files:
            p = os.path.join(base, name)
            if not os.path.islink(p):
                sizes.append((os.path.getsize(p), os.path.relpath(p, internal)))
    return sorted(sizes, reverse=True)[:n]


def by_package(app: str) -> list[tuple[int, str]]:
    """Size per top-level entry of _internal/ (loose libraries summed as one line)."""
    internal = os.path.join(app, "_internal")
    sizes: dict[str, int] = {}
    for entry in os.listdir(internal):
        p = os.path.join(internal, entry)
        key = entry if os.path.isdir(p) else "(top-level libraries)"
        sizes[key] = sizes.get(key, 0) + size_of(p)
    return sorted(((s, k) for k, s in sizes.items()), reverse=True)


def executable(app: str = APP) -> str:
    exe = "SORViewer.exe" if sys.platform == "win32" else "SORViewer"
    return os.path.join(app, exe)


#: what Qt's offscreen platform prints for every window; noise in the smoke output
QT_NOISE = "This plugin does not support propagateSizeHints()"


def smoke(file: str, app: str = APP) -> int:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.perf_counter()
    res = subprocess.run(
        [executable(app), "--smoke-test", file], env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - t0
    lines = (res.stdout + "\n" + res.stderr).splitlines()
    out = "\n".join(x for x in lines if x.strip() and x.strip() != QT_NOISE)
    print(f"smoke test ({took:.2f} s): exit {res.returncode}: {out}")
    return res.returncode


def archive(app: str) -> str:
    """Pack the folder beside it as SORViewer-<version>-<platform>; path and size."""
    plat = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    base = os.path.join(os.path.dirname(app), f"SORViewer-{version()}-{plat}")
    fmt = "gztar" if sys.platform == "linux" else "zip"
    path = shutil.make_archive(base, fmt, os.path.dirname(app), os.path.basename(app))
    return f"{path} ({os.path.getsize(path) / MB:.1f} MB)"


def run_pyinstaller(dist: str, work: str) -> None:
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
            dist,
            "--workpath",
            work,
            os.path.join(ROOT, "build_scripts", "sorviewer.spec"),
        ],
        check=True,
        cwd=ROOT,
    )


def check_version() -> None:
    sys.path.insert(0, ROOT)
    try:
        import sorviewer

        if sorviewer.__version__ != version():
            print(
                f"warning: sorviewer.__version__ is {sorviewer.__version__} but "
                f"pyproject.toml says {version()}; the About box shows the former"
            )
    finally:
        sys.path.remove(ROOT)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-prune", action="store_true", help="keep everything PyInstaller put in")
    ap.add_argument("--smoke", metavar="FILE", action="append", default=[])
    ap.add_argument("--dist", metavar="DIR", default=DIST, help="output folder (default dist/)")
    ap.add_argument(
        "--archive",
        action="store_true",
        help="also pack the folder for download: .tar.gz on Linux (keeps the library "
        "links), .zip elsewhere",
    )
    args = ap.parse_args()
    check_version()
    dist = os.path.abspath(args.dist)
    app = os.path.join(dist, "SORViewer")
    work = os.path.join(ROOT, "build", "pyinstaller") if dist == DIST else dist + "-work"
    t0 = time.perf_counter()
    run_pyinstaller(dist, work)
    built = time.perf_counter() - t0
    print(f"built {app} (version {version()}) in {built:.0f} s")
    before = folder_size(app)
    if not args.no_prune:
        missing_before = missing_links(app)
        removed = prune(app)
        orphans = prune_orphans(app)
        saved = strip_binaries(app)
        print(f"pruned {removed / MB:.1f} MB, stripped {saved / MB:.1f} MB")
        if orphans:
            names = ", ".join(name for name, _size in orphans)
            total = sum(size for _name, size in orphans)
            print(f"removed {len(orphans)} libraries nothing needs ({total / MB:.1f} MB): {names}")
        missing_after = missing_links(app)
        broken = {
            name: gone - missing_before.get(name, set())
            for name, gone in missing_after.items()
            if gone - missing_before.get(name, set())
        }
        if broken:
            for name, gone in sorted(broken.items()):
                print(f"error: pruning removed {', '.join(sorted(gone))}, needed by {name}")
            return 1
    after = folder_size(app)
    print(f"folder size: {after / MB:.1f} MB (before pruning {before / MB:.1f} MB)")
    print("largest files:")
    for size, name in biggest(app):
        print(f"  {size / MB:7.1f} MB  {name}")
    print("by package:")
    for size, name in by_package(app)[:12]:
        print(f"  {size / MB:7.1f} MB  {name}")
    print(f"total {time.perf_counter() - t0:.0f} s")
    if args.archive:
        print(f"archive: {archive(app)}")
    status = 0
    for f in args.smoke:
        status |= smoke(f, app)
    return status


if __name__ == "__main__":
    sys.exit(main())
