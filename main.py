"""SOR Viewer launcher: `python main.py [FILE]`, `--smoke-test FILE` or `--measure-open FILE`.

Kept thin so the window appears fast: only the Qt start-up is imported here; the
data libraries load when a file is opened.
"""

from __future__ import annotations

import sys


def run() -> int:
    from ui.app import main

    return main(sys.argv)


if __name__ == "__main__":
    sys.exit(run())
