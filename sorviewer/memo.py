"""A thread-safe memo: every cache of derived structures in the core is one of these.

The register is shared by the GUI thread and the panel workers (docs/ARCHITECTURE.md,
"Threads"). Its data never changes after the load; what changes is what has been
derived from it so far: per-register structures, the snapshots of recent days, and
per-day structures inside each snapshot. Each of those caches is a `Memo`:

- one lock guards the dict; it is held only to look up, insert or evict, never
  while a value is being computed;
- a value is computed once: a second thread asking for a key that is being computed
  waits for the first one's result instead of computing it again (a snapshot of the
  full register costs ~10 ms, a day's provenance ~100 ms; the window and a worker
  often ask for the same day at the same moment);
- with `maxsize`, the least recently used entries are evicted, so the bound holds
  whatever the threads do;
- a failed computation leaves nothing behind: the waiting threads try themselves.

Values must be treated as read-only by whoever gets them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class _Pending:
    """A value some thread is computing; others wait on `done`."""

    __slots__ = ("done", "owner")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.owner = threading.get_ident()


class Memo:
    """Key -> value, computed at most once per key (see the module docstring)."""

    def __init__(self, maxsize: int | None = None) -> None:
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self.maxsize = maxsize

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value of `key`, computing it with `make()` when no thread has."""
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    value: T = self._values[key]
                    return value
                pending = self._pending.get(key)
                if pending is None:
                    mine = _Pending()
                    self._pending[key] = mine
                    break
            if pending.owner == threading.get_ident():
                raise RuntimeError(f"memo key {key!r} asked for while it is being computed")
            pending.done.wait()
            # computed (or failed): look again
        try:
            value = make()
        except BaseException:
            with self._lock:
                del self._pending[key]
            mine.done.set()
            raise
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            del self._pending[key]
            if self.maxsize is not None:
                while len(self._values) > self.maxsize:
                    self._values.popitem(last=False)
        mine.done.set()
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The value of `key` when it has been computed, else None (computes nothing)."""
        with self._lock:
            return self._values.get(key)

    def clear(self) -> None:
        """Forget every computed value (values being computed still land)."""
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


class SharedDict:
    """A dict for caches whose values are cheap enough that two racing threads may
    both compute one: every read and write takes one lock, and the last write wins
    (each writer keeps using the equal value it computed). Never iterated."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[Hashable, Any] = {}

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._data.get(key, default)

    def __getitem__(self, key: Hashable) -> Any:
        with self._lock:
            return self._data[key]

    def __setitem__(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
