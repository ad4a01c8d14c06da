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

# What the app never loads, as globs relative to the app folder's _internal/ ("/"
# separated). A library another kept library links against must stay: libarrow_python
# links libparquet, libarrow_dataset, libarrow_acero and libarrow_substrait, so those stay
# although the app never reads Parquet. On Linux check_links() catches a mistake here; on
# Windows and macOS the workflow's smoke test of the frozen program is the check, so the
# lists for those platforms prune only what is plainly unused.

#: Qt modules the app never uses (QtCore, QtGui, QtWidgets, QtOpenGL, QtSvg stay)
QT_UNUSED = ("Quick", "Qml", "Pdf", "VirtualKeyboard", "ShaderTools", "Designer", "Sql",
             "Test", "Help", "LabsStyleKit")  # fmt: skip
#: more that is safe to drop on Linux, where the link check proves it
QT_UNUSED_LINUX = ("Network", "EglF", "Wayland", "WlShell")
#: Qt plugin folders, platform plugins and image formats the app never loads
QT_PLUGINS = ("qmltooling", "sqldrivers", "designer", "networkinformation", "tls",
              "platforminputcontexts", "generic", "egldeviceintegrations", "wayland-*")  # fmt: skip
QT_PLATFORMS_LINUX = ("libqwayland*", "libqvnc*", "libqeglfs*", "libqlinuxfb*", "libqminimal*",
                      "libqvkkhrdisplay*", "../platformthemes/libqgtk3*")  # fmt: skip
QT_IMAGE_FORMATS = ("tiff", "webp", "jpeg", "gif", "tga", "wbmp", "icns", "pdf")
PYARROW_UNUSED = ("_flight*", "_s3fs*", "_gcsfs*", "_azurefs*", "_hdfs*", "_orc*",
                  "_dataset_orc*", "_substrait*", "_parquet_encryption*",
                  "_dataset_parquet_encryption*", "include", "src", "tests", "*.pxd", "*.pyx",
                  "*.pxi", "*.h", "*.cc")  # fmt: skip
COMMON_UNUSED = ("pandas/tests", "numpy/tests", "numpy/*/tests", "numpy/_core/include",
                 "numpy/_core/lib", "*/__pycache__")  # fmt: skip


def qt_layout(platform: str) -> tuple[str, str, str]:
    """(Qt's folder, its library pattern with {m} for the module name, its plugin folder)
    under _internal/, as PyInstaller's PySide6 hooks lay them out on each platform."""
    if platform == "win32":
        return "PySide6", "PySide6/Qt6{m}*.dll", "PySide6/plugins"
    if platform == "darwin":
        return "PySide6/Qt", "PySide6/Qt/lib/Qt{m}*.framework", "PySide6/Qt/plugins"
    return "PySide6/Qt", "PySide6/Qt/lib/libQt6{m}*", "PySide6/Qt/plugins"


def prune_patterns(platform: str = sys.platform) -> list[str]:
    """The PRUNE globs for `platform` ("linux", "win32" or "darwin")."""
    qt, lib, plugins = qt_layout(platform)
    linux = platform.startswith("linux")
    modules = QT_UNUSED + (QT_UNUSED_LINUX if linux else ())
    out = [f"{qt}/translations/*", f"{qt}/qml"]
    out += [lib.format(m=m) for m in modules]
    out += [f"{plugins}/{name}" for name in QT_PLUGINS]
    # image formats: libqtiff.so on Linux, qtiff.dll on Windows, libqtiff.dylib on macOS
    prefix = "" if platform == "win32" else "lib"
    out += [f"{plugins}/imageformats/{prefix}q{f}*" for f in QT_IMAGE_FORMATS]
    if linux:
        out += [f"{plugins}/platforms/{name}" for name in QT_PLATFORMS_LINUX]
        # the loader asks for libarrow_python.so.<N>: the other two names are copies
        out += ["pyarrow/libarrow_python.so", "pyarrow/libarrow_python.so.*.*.*"]
    # Arrow's Flight and S3 libraries: libarrow_flight.so.N / arrow_flight.dll
    for name in ("arrow_flight", "arrow_python_flight", "arrow_python_parquet_encryption",
                 "arrow_s3"):  # fmt: skip
        out.append(f"pyarrow/{'' if platform == 'win32' else 'lib'}{name}*")
    out += [f"pyarrow/{p}" for p in PYARROW_UNUSED]
    out += list(COMMON_UNUSED)
    return [os.path.normpath(p).replace(os.sep, "/") for p in out]


PRUNE = prune_patterns()
#: exceptions to PRUNE: Qt's Danish texts for its own dialogs (ui.app.set_qt_language)
KEEP = [f"{qt_layout(sys.platform)[0]}/translations/qtbase_da.qm"]


def is_pruned(rel: str, patterns: list[str] = PRUNE) -> bool:
    """Whether `rel` (a "/"-separated path under _internal/) or a folder above it is
    named by `patterns`, and it is not one of KEEP."""
    if any(fnmatch.fnmatch(rel, keep) for keep in KEEP):
        return False
    parts = rel.split("/")
    return any(
        fnmatch.fnmatch("/".join(parts[:i]), pat)
        for i in range(1, len(parts) + 1)
        for pat in patterns
    )


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


def prune(app: str) -> int:
    """Delete what PRUNE names, then the links that pointed at it; bytes removed.

    On macOS the spec already left these out of the .app (BUNDLE copies the folder
    while PyInstaller runs, so pruning afterwards would miss it); the folder beside
    it is pruned the same way here."""
    internal = os.path.join(app, "_internal")
    removed = 0
    for base, dirs, files in os.walk(internal, topdown=True):
        rel_base = os.path.relpath(base, internal).replace(os.sep, "/")
        for name in list(dirs) + files:
            rel = f"{rel_base}/{name}" if rel_base != "." else name
            if not is_pruned(rel):
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


def bundle(app: str = APP) -> str:
    """The macOS .app PyInstaller makes beside the folder (the thing users get there)."""
    return os.path.join(os.path.dirname(app), "SORViewer.app")


def executable(app: str = APP) -> str:
    """The program to run: SORViewer.exe on Windows, the one inside the .app on macOS."""
    if sys.platform == "win32":
        return os.path.join(app, "SORViewer.exe")
    inside = os.path.join(bundle(app), "Contents", "MacOS", "SORViewer")
    if sys.platform == "darwin" and os.path.exists(inside):
        return inside
    return os.path.join(app, "SORViewer")


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
    """Pack what users download beside the folder as SORViewer-<version>-<platform>:
    a .tar.gz of the folder on Linux (it keeps the library links), a .zip of the folder
    on Windows, and on macOS a .zip of the .app made by `ditto`, which keeps the
    frameworks' symbolic links and the bundle's metadata. Returns path and size."""
    plat = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    base = os.path.join(os.path.dirname(app), f"SORViewer-{version()}-{plat}")
    if sys.platform == "darwin" and os.path.isdir(bundle(app)) and shutil.which("ditto"):
        path = base + ".zip"
        subprocess.run(
            ["ditto", "-c", "-k", "--sequesterRsrc", "--keepParent", bundle(app), path],
            check=True,
        )
    else:
        fmt = "gztar" if sys.platform.startswith("linux") else "zip"
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
