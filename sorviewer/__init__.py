"""SOR Viewer core: load SOR downloads into an in-memory register and query it.

Pure Python (pandas on pyarrow, numpy, lxml); never imports Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import LoadCancelled, LoadError

if TYPE_CHECKING:
    from collections.abc import Callable

    from .api import Register

__version__ = "0.1.0"
__all__ = ["LoadCancelled", "LoadError", "Register", "__version__", "load"]


def load(
    path: str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    use_cache: bool = True,
    write_cache: bool = True,
) -> Register:
    """Open a SOR download (SOR2 zip or CSV, or XML zip/file) as a `Register`.

    Raises `LoadError` with one user-readable sentence when the file cannot be
    read as SOR, and `LoadCancelled` when `cancelled()` turned true. With
    `write_cache=False` a register read from the file is cached only when
    `sorviewer.loading.save_cache(reg)` is called (after the window shows it).
    """
    from .loading import load as _load

    return _load(
        path,
        progress=progress,
        cancelled=cancelled,
        use_cache=use_cache,
        write_cache=write_cache,
    )


def __getattr__(name: str) -> object:
    if name == "Register":
        from .api import Register

        return Register
    raise AttributeError(name)
