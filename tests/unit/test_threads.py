"""The threading contract: one register, many threads, the same answers.

The register's data never changes after the load; its caches (the per-register
memo, the bounded snapshot cache, each snapshot's and each provenance's memo) are
guarded by `memo.Memo`. Twelve threads with a switch interval of a microsecond run
every kind of query at once, on more distinct days than the snapshot cache keeps,
and must get exactly what one thread gets, with the cache never over its bound.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sorviewer
from sorviewer import Register, asof, edi, mapping, provenance, quality
from sorviewer.asof import SNAPSHOTS_KEPT
from sorviewer.memo import Memo

THREADS = 12


@pytest.fixture
def fast_switching() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def run_threads(work: Callable[[int], None], n: int = THREADS) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def body(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:  # collected and reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_memo_computes_each_key_once(fast_switching: None) -> None:
    memo = Memo()
    calls: list[int] = []
    gate = threading.Event()

    def make() -> int:
        calls.append(1)
        gate.wait(1)
        return 42

    def work(i: int) -> None:
        if i == THREADS - 1:
            gate.set()
        assert memo.get("k", make) == 42

    assert run_threads(work) == []
    assert len(calls) == 1


def test_memo_bound_holds_and_a_failure_leaves_nothing(fast_switching: None) -> None:
    memo = Memo(maxsize=3)
    sizes: list[int] = []

    def work(i: int) -> None:
        rng = random.Random(i)
        for _ in range(300):
            k = rng.randrange(20)
            assert memo.get(k, lambda k=k: k * 2) == k * 2
            sizes.append(len(memo))

    assert run_threads(work) == []
    assert max(sizes) <= 3

    def broken() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        memo.get("bad", broken)
    assert memo.peek("bad") is None
    assert memo.get("bad", lambda: 1) == 1


def test_a_thread_asking_for_what_it_computes_is_told() -> None:
    memo = Memo()
    with pytest.raises(RuntimeError):
        memo.get("k", lambda: memo.get("k", lambda: 1))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Register:
    from sorviewer.synthetic import generate

    path = tmp_path_factory.mktemp("threads") / "reg.zip"
    generate(str(path), entities=1500, seed=5)
    return sorviewer.load(str(path), use_cache=False)


def _answers(reg: Register, day: dt.date, ids: list[str]) -> dict[str, Any]:
    snap = reg.snapshot(day)
    under = str(reg.ids[int(snap.roots()[0])]) if len(snap.roots()) else ids[0]
    return {
        "roots": reg.roots(day),
        "children": [reg.children(s, day) for s in ids[:5]],
        "show": [reg.entity(s, day) for s in ids],
        "search": reg.search("a", day, limit=20),
        "edi": edi.recipients(reg, under, "1", day),
        "shak": mapping.mapping_frame(reg, day).to_dict("records")[:50],
        "quality": quality.quality(reg, day)[:50],
    }


def test_many_threads_one_register(generated: Register, fast_switching: None) -> None:
    reg = generated
    rng = random.Random(1)
    ids = [str(x) for x in rng.sample(list(reg.ids), 12)]
    days = [dt.date(2006 + i % 20, 1 + i % 12, 1 + i % 27) for i in range(SNAPSHOTS_KEPT + 8)]
    want = {d: _answers(reg, d, ids) for d in days[:6]}
    fresh = sorviewer.load(reg.source.path, use_cache=False)  # the same file, caches empty
    snapshots = asof.snapshots(fresh)
    sizes: list[int] = []

    def work(i: int) -> None:
        r = random.Random(i)
        for _ in range(6):
            day = r.choice(days)
            if day in want and r.random() < 0.5:
                assert _answers(fresh, day, ids) == want[day]
            else:
                fresh.snapshot(day).roots()
                asof.tree(fresh, day, depth=2)
                provenance.at(fresh, day).group(r.choice(provenance.GROUPS))
                fresh.entity(r.choice(ids), day)
            sizes.append(len(snapshots))

    errors = run_threads(work)
    assert errors == [], errors[:3]
    assert max(sizes) <= SNAPSHOTS_KEPT
    for d, answer in want.items():
        assert _answers(fresh, d, ids) == answer
