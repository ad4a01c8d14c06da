"""A guard against a reference-count defect of the Qt binding on Python 3.11.

The PySide6 build this project runs on (6.12.0, a `cp310-abi3` wheel) returns
`None` from every method that returns nothing (`setText`, `setEnabled`, `start`,
...) and `True` from `Signal.emit()` without taking a new reference, as if the
interpreter's singletons were immortal. They are from Python 3.12 on; on 3.11
each such call takes one reference away from `None` or `True` for good. While a
full register is open millions of references to `None` hide the deficit; when
the register is freed (at quit, during a cycle collection) the count reaches zero
and the interpreter aborts with "Fatal Python error: none_dealloc" (or
"bool_dealloc" after some thousand signal emissions). Measured with the full
register: None held 503,901 references after the load and 395,495 after 200 date
moves and selections (True: 5,941 -> 2,518); quitting then aborted in none_dealloc
while the register was freed.

`guard_singletons()` measures whether the binding has the defect and, only then
and only on an interpreter whose singletons are mortal, adds a reserve to their
reference counts large enough that no session can use it up: the same thing
Python 3.12 does by making them immortal. It is called once at start-up, before
any worker thread exists (the counts are written directly).
"""

from __future__ import annotations

import ctypes
import logging
import sys
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: added to the reference counts of None, True and False; 2**60 calls cannot happen
RESERVE = 1 << 60
#: calls per probe: a leak shows as a loss of exactly this many references
PROBE_CALLS = 64


@dataclass(frozen=True)
class Probe:
    """References lost per call, measured on the running binding."""

    none_per_void_call: float
    true_per_emit: float

    @property
    def leaks(self) -> bool:
        return self.none_per_void_call < -0.5 or self.true_per_emit < -0.5


def singletons_mortal() -> bool:
    """Whether None/True/False can be freed by a wrong count (CPython before 3.12,
    a release build whose object header starts with the count)."""
    return (
        sys.implementation.name == "cpython"
        and sys.version_info < (3, 12)
        and not hasattr(sys, "gettotalrefcount")  # a debug build lays objects out otherwise
    )


def probe_binding() -> Probe:
    """Count the references `None` loses to a method returning nothing and `True`
    loses to `Signal.emit()` (both should be 0)."""
    from PySide6.QtCore import QObject, Signal

    class _Emitter(QObject):
        ping = Signal()

    emitter = _Emitter()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        emitter.setObjectName("probe")
    lost_none = sys.getrefcount(None) - before
    before = sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        emitter.ping.emit()
    lost_true = sys.getrefcount(True) - before
    emitter.deleteLater()
    return Probe(lost_none / PROBE_CALLS, lost_true / PROBE_CALLS)


def _add_reserve(obj: object) -> None:
    # ob_refcnt is the first field of every object in a CPython 3.11 release build
    count = ctypes.c_ssize_t.from_address(id(obj))
    count.value += RESERVE


_guarded = False


def guard_singletons() -> Probe | None:
    """Give None, True and False a reserve of references when the binding leaks them
    and the interpreter can free them; the probe's result (None when not measured)."""
    global _guarded
    if _guarded or not singletons_mortal():
        return None
    probe = probe_binding()
    if probe.leaks:
        for obj in (None, True, False):
            _add_reserve(obj)
        _guarded = True
        log.warning(
            "PySide6 drops references to None (%.1f per call) and True (%.1f per emit) on "
            "Python %d.%d; the singletons got a reserve so the program cannot abort on it",
            probe.none_per_void_call,
            probe.true_per_emit,
            *sys.version_info[:2],
        )
    return probe
