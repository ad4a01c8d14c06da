"""Array helpers the core shares: looking ids up, and walking up parent pointers.

Every lookup of ids in a sorted id array goes through `index_of`, and every walk up
a hierarchy goes through the functions below. A hierarchy is a parent array: entry
`i` is the index of node `i`'s parent, or -1 for none. Depth is data: nothing here
recurses or stops after a fixed number of levels. Functions that must terminate on
a cycle say what they answer for the nodes on it (and under it).
"""

from __future__ import annotations

import numpy as np

#: a parent array's values besides an entity index (`asof`'s `parent_of`): a root, a
#: unit not active at the day, a unit whose parent is not in the view
ROOT = -1
INACTIVE = -2
ORPHAN = -3


def index_of(sorted_keys: np.ndarray, values: np.ndarray | int) -> np.ndarray:
    """Positions of `values` in the sorted array `sorted_keys`, -1 where a value is not
    there (pandas' `get_indexer`, for sorted keys). Returns an int64 array shaped like
    `values`."""
    vals = np.asarray(values)
    if not len(sorted_keys):
        return np.full(vals.shape, -1, dtype=np.int64)
    pos = np.minimum(np.searchsorted(sorted_keys, vals), len(sorted_keys) - 1)
    return np.where(sorted_keys[pos] == vals, pos, -1).astype(np.int64)


def _rounds(n: int) -> int:
    """Pointer-doubling rounds after which every jump spans more than `n` steps."""
    return max(n, 1).bit_length() + 1


def first_up(parent: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Per node: the nearest of itself and its ancestors where `stop` is true, or -1.

    Pointer doubling: each round doubles how far a pointer has jumped, so the answer
    takes about log2(depth) rounds. A node whose walk only circles a cycle with no
    stopping node gets -1.
    """
    n = len(parent)
    idx = np.arange(n, dtype=np.int64)
    # stopping nodes point at themselves; the others at their parent (or -1)
    ptr = np.where(stop, idx, parent).astype(np.int64)
    for _ in range(_rounds(n)):
        nxt = np.where(ptr >= 0, ptr[np.maximum(ptr, 0)], -1)
        if np.array_equal(nxt, ptr):
            break
        ptr = nxt
    ok = ptr >= 0
    ok[ok] = stop[ptr[ok]]
    return np.where(ok, ptr, -1)


def cycle_members(parent: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes that lie on a cycle of parents.

    After more jumps up than there are nodes, whatever a pointer still reaches is on a
    cycle (a walk from outside a cycle either ends at a root or falls into one). Real
    trees are a few levels deep, so a few rounds usually show there is none.
    """
    n = len(parent)
    # a sentinel node n stands for "no parent" and points at itself
    ptr = np.append(np.where(parent >= 0, parent, n), n).astype(np.int64)
    for i in range(_rounds(n)):
        ptr = ptr[ptr]
        if i % 2 and (ptr == n).all():
            return np.zeros(n, dtype=bool)
    members = np.zeros(n + 1, dtype=bool)
    members[ptr] = True
    return members[:n]


def with_ancestors(parent: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Boolean mask of `nodes` and every ancestor of theirs.

    One level per round over the nodes newly reached, so each node is visited once
    (cycles end when they reach a marked node)."""
    keep = np.zeros(len(parent), dtype=bool)
    cur = np.unique(np.asarray(nodes, dtype=np.int64))
    keep[cur] = True
    while len(cur):
        up = parent[cur]
        up = up[up >= 0]
        up = np.unique(up[~keep[up]])
        keep[up] = True
        cur = up
    return keep


def is_above(parent: np.ndarray, nodes: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per pair: whether `targets[i]` is a proper ancestor of `nodes[i]`.

    Walks up one level per round, over the pairs still undecided; a pair is decided
    when the walk meets its target or runs out of parents. A walk caught in a cycle
    is stopped after as many steps as there are nodes (no ancestor is further away).
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    found = np.zeros(len(nodes), dtype=bool)
    live = np.arange(len(nodes))
    cur = parent[nodes] if len(nodes) else np.zeros(0, dtype=np.int64)
    tgt = np.asarray(targets, dtype=np.int64)
    for _ in range(len(parent) + 1):
        hit = (cur == tgt) & (cur >= 0)
        found[live[hit]] = True
        go = (cur >= 0) & ~hit
        if not go.any():
            break
        live, cur, tgt = live[go], parent[cur[go]], tgt[go]
    return found


def path_up(parent: np.ndarray, node: int) -> list[int]:
    """`node` and its ancestors, nearest first (stops where a cycle would repeat)."""
    out = [node]
    seen = {node}
    p = int(parent[node])
    while p >= 0 and p not in seen:
        out.append(p)
        seen.add(p)
        p = int(parent[p])
    return out
