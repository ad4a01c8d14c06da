"""The load cache: small on disk, let go after the read, its search index trusted only
when it fits, and the folder bounded by size with the least recently used register
going first."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import sorviewer
from sorviewer import cache
from sorviewer.loading import LOADER_VERSION
from sorviewer.synthetic import generate

DAY = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "cache"
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(root))
    limit = cache.size_limit()
    yield root
    cache.set_size_limit(limit)


def register_zip(folder: Path, name: str, seed: int, entities: int = 300) -> str:
    path = folder / name
    generate(str(path), entities=entities, seed=seed)
    return str(path)


def folder_of(path: str) -> Path:
    key = cache.cache_key(path, LOADER_VERSION)
    assert key is not None
    return Path(cache.cache_root()) / key


def test_text_columns_are_dictionaries_and_the_files_compressed(tmp_path: Path) -> None:
    path = register_zip(tmp_path, "Sor_complete.zip", seed=1)
    first = sorviewer.load(path)
    folder = folder_of(path)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["format"] == cache.FORMAT
    with pa.OSFile(str(folder / "entities.arrow"), "rb") as f:
        reader = pa.ipc.open_file(f)
        schema = reader.schema
        batch = reader.get_batch(0)
    assert pa.types.is_dictionary(schema.field("SorType").type)
    assert pa.types.is_dictionary(schema.field("EntityTypeName").type)
    assert batch.num_rows > 0
    # the register read back holds what the file load gives: the same dictionaries
    again = sorviewer.load(path)
    assert pa.types.is_dictionary(first.entities["SorType"].dtype.pyarrow_dtype)
    assert again.entities["SorType"].dtype == first.entities["SorType"].dtype
    assert again.entities.equals(first.entities)
    for name, table in first.tables.items():
        assert again.tables[name].equals(table), name


def test_the_search_index_comes_with_the_cache(tmp_path: Path) -> None:
    path = register_zip(tmp_path, "Sor_complete.zip", seed=2)
    first = sorviewer.load(path)
    again = sorviewer.load(path)
    assert again.peek("search_base") is not None  # restored, not rebuilt
    for query in ("a", "klinik", "0", "1", "sengeafsnit"):
        assert again.search(query, DAY, limit=500) == first.search(query, DAY, limit=500)


def _tamper_codes(folder: Path) -> None:
    arr = np.load(folder / "search-EntityName.codes.npy")
    arr[0] = 10**7  # a value no distinct name has
    np.save(folder / "search-EntityName.codes.npy", arr)


def _tamper_postings(folder: Path) -> None:
    arr = np.load(folder / "search-EntityName.start.npy")
    arr[-1] += 5  # the word ranges no longer end at the postings' end
    np.save(folder / "search-EntityName.start.npy", arr)


@pytest.mark.parametrize("tamper", [_tamper_codes, _tamper_postings])
def test_a_search_index_that_does_not_fit_is_not_trusted(tmp_path: Path, tamper: object) -> None:
    path = register_zip(tmp_path, "Sor_complete.zip", seed=3)
    sorviewer.load(path)
    folder = folder_of(path)
    assert callable(tamper)
    tamper(folder)
    # the manifest is rewritten as if the files had been written so: only the checks of
    # the index itself can catch it
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["files"] = cache._manifest(str(folder))
    del meta["files"]["meta.json"]
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    key = folder.name
    assert cache.read_cache(key) is None
    assert not folder.exists()


def test_a_dictionary_index_outside_its_dictionary_fails_the_read(tmp_path: Path) -> None:
    path = register_zip(tmp_path, "Sor_complete.zip", seed=5)
    sorviewer.load(path)
    folder = folder_of(path)
    file = str(folder / "entities.arrow")
    with pa.OSFile(file, "rb") as f:
        table = pa.ipc.open_file(f).read_all()
    i = table.schema.get_field_index("SorType")
    column = table.column(i).combine_chunks()
    assert pa.types.is_dictionary(column.type)
    indices = np.asarray(column.indices.to_numpy(zero_copy_only=False)).copy()
    indices[3] = len(column.dictionary) + 5  # past the end of the dictionary
    bad = pa.DictionaryArray.from_arrays(
        pa.array(indices, type=column.type.index_type), column.dictionary, safe=False
    )
    cache._write_arrow(table.set_column(i, table.field(i), bad), file)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["files"] = cache._manifest(str(folder))
    del meta["files"]["meta.json"]
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert cache.read_cache(folder.name) is None
    assert not folder.exists()


def test_an_older_cache_format_is_not_read(tmp_path: Path) -> None:
    path = register_zip(tmp_path, "Sor_complete.zip", seed=4)
    sorviewer.load(path)
    folder = folder_of(path)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["format"] = 2
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert cache.read_cache(folder.name) is None


def _age(path: Path, seconds_ago: float) -> None:
    when = os.path.getmtime(path) - seconds_ago
    os.utime(path, (when, when))


def test_the_folder_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    paths = [register_zip(tmp_path, f"r{i}.zip", seed=10 + i) for i in range(3)]
    for i, p in enumerate(paths[:2]):
        sorviewer.load(p)
        _age(folder_of(p), 1000 - i * 100)  # r0 used longest ago, then r1
    sizes = {p: sum(f.stat().st_size for f in folder_of(p).iterdir()) for p in paths[:2]}
    # r0 is read again: now the most recently used
    sorviewer.load(paths[0])
    assert [e.key for e in cache.entries()] == [folder_of(paths[0]).name, folder_of(paths[1]).name]
    # room for two registers: writing a third removes r1, the least recently used
    cache.set_size_limit(int(max(sizes.values()) * 2.5))
    sorviewer.load(paths[2])
    kept = {e.key for e in cache.entries()}
    assert kept == {folder_of(paths[0]).name, folder_of(paths[2]).name}
    assert cache.total_size() <= cache.size_limit()


def test_a_smaller_limit_evicts_at_once_and_zero_keeps_nothing(tmp_path: Path) -> None:
    paths = [register_zip(tmp_path, f"r{i}.zip", seed=20 + i) for i in range(2)]
    for i, p in enumerate(paths):
        sorviewer.load(p)
        _age(folder_of(p), 100 - i * 50)
    one = cache.entries()[0].size
    removed = cache.evict(limit=one)
    assert removed == [folder_of(paths[0]).name]
    cache.set_size_limit(0)
    sorviewer.load(paths[0])  # written and removed again: nothing may stay
    assert cache.entries() == []
    assert cache.evict(limit=0) == []


def test_clear_removes_every_register_and_an_open_one_stays_usable(tmp_path: Path) -> None:
    path = register_zip(tmp_path, "Sor_complete.zip", seed=5)
    sorviewer.load(path)
    reg = sorviewer.load(path)  # from the cache
    before = reg.search("a", DAY, limit=20)
    size = cache.total_size()
    assert size > 0
    assert cache.clear() == size
    assert cache.entries() == []
    assert reg.search("a", DAY, limit=20) == before
    assert reg.entity(str(reg.ids[0]), DAY) is not None


def test_a_stale_unfinished_write_is_removed(tmp_path: Path) -> None:
    root = Path(cache.cache_root())
    stale = root / ".tmp-crashed"
    fresh = root / ".tmp-writing"
    for d in (stale, fresh):
        d.mkdir(parents=True)
        (d / "entities.arrow").write_bytes(b"half")
    _age(stale, cache.STALE_TMP_S + 60)
    assert cache.entries() == []
    assert not stale.exists()
    assert fresh.exists()  # maybe another process writing right now


def test_folders_of_an_older_format_are_removed_when_the_cache_is_written(
    tmp_path: Path,
) -> None:
    root = Path(cache.cache_root())
    old = root / "0123456789abcdef0123456789abcdef"
    old.mkdir(parents=True)
    (old / "meta.json").write_text('{"format": 2}', encoding="utf-8")
    (old / "entities.arrow").write_bytes(b"x" * 1000)
    path = register_zip(tmp_path, "Sor_complete.zip", seed=6)
    sorviewer.load(path)
    assert not old.exists()
    assert [e.key for e in cache.entries()] == [folder_of(path).name]
