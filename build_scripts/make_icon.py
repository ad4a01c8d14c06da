"""Draw the application icon with QPainter and write it into resources/.

Run from the repository root: `python build_scripts/make_icon.py`. Writes
app_icon_<size>.png for the usual sizes, and app_icon.ico / app_icon.icns (the Windows
and macOS program icons) when Qt can write those formats.
The picture: an organisation chart (one node over three) on a blue rounded
square, with a red marker line for "as of a date".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QImageWriter,
    QLinearGradient,
    QPainter,
    QPen,
)

SIZES = (16, 24, 32, 48, 64, 128, 256)
OUT = Path(__file__).resolve().parent.parent / "resources"


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256.0
    grad = QLinearGradient(0, 0, 0, size)
    grad.setColorAt(0.0, QColor("#3a86c8"))
    grad.setColorAt(1.0, QColor("#1f4f7f"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 44 * s, 44 * s)

    white = QColor("#ffffff")
    line = QPen(white, max(1.0, 12 * s))
    line.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(line)
    # connectors: top node down, a bar, three drops
    p.drawLine(int(128 * s), int(84 * s), int(128 * s), int(122 * s))
    p.drawLine(int(60 * s), int(122 * s), int(196 * s), int(122 * s))
    for x in (60, 128, 196):
        p.drawLine(int(x * s), int(122 * s), int(x * s), int(150 * s))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(white)
    p.drawRoundedRect(QRectF(88 * s, 40 * s, 80 * s, 48 * s), 12 * s, 12 * s)
    for x in (60, 128, 196):
        p.drawRoundedRect(QRectF((x - 30) * s, 146 * s, 60 * s, 40 * s), 10 * s, 10 * s)
    # the as-of marker
    p.setBrush(QColor("#e74c3c"))
    p.drawRoundedRect(QRectF(40 * s, 204 * s, 176 * s, 16 * s), 8 * s, 8 * s)
    p.end()
    return img


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(exist_ok=True)
    for size in SIZES:
        draw(size).save(str(OUT / f"app_icon_{size}.png"))
    formats = [bytes(f.data()) for f in QImageWriter.supportedImageFormats()]
    # Windows wants .ico for the exe, macOS .icns for the .app bundle (build_scripts/
    # sorviewer.spec); Qt's image plugins write both from the 256 px drawing.
    for fmt in ("ico", "icns"):
        if fmt.encode() in formats:
            draw(256).save(str(OUT / f"app_icon.{fmt}"))
    print(f"icons written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
