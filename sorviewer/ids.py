"""Check digits of SOR ids (Verhoeff, SNOMED CT SCTID scheme) and EAN/GLN (GS1 mod 10)."""

from __future__ import annotations

import numpy as np

from .messages import Message, msg

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)
# Each row of _P is row 1 applied once more: _P[i][d] == _P[1][_P[i - 1][d]] (a test checks).

SOR_NAMESPACE = "1000016"
SOR_PARTITION = "00"


def verhoeff_digit(digits: str) -> int:
    """The Verhoeff check digit to append to `digits`."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][ord(ch) - 48]]
    return _INV[c]


def verhoeff_ok(number: str) -> bool:
    """True when the last digit of `number` is its Verhoeff check digit."""
    if not number.isdigit() or len(number) < 2:
        return False
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _D[c][_P[i % 8][ord(ch) - 48]]
    return c == 0


def make_sor_id(running: int) -> str:
    """A valid SOR id for running number `running` (namespace 1000016, partition 00)."""
    body = f"{running}{SOR_NAMESPACE}{SOR_PARTITION}"
    return body + str(verhoeff_digit(body))


def sor_id_issue(sor_id: str) -> Message | None:
    """Why `sor_id` is not a well-formed SOR id (the end of a sentence about the id), or
    None when it is."""
    if not sor_id.isdigit():
        return msg("query.id_not_digits")
    if not 11 <= len(sor_id) <= 18:
        return msg("query.id_length", digits=len(sor_id))
    if sor_id[-10:-3] != SOR_NAMESPACE or sor_id[-3:-1] != SOR_PARTITION:
        return msg("query.id_namespace")
    if not verhoeff_ok(sor_id):
        return msg("query.id_check_digit")
    return None


def sor_id_problem(sor_id: str) -> str | None:
    """`sor_id_issue` in English."""
    issue = sor_id_issue(sor_id)
    return None if issue is None else issue.render("en")


def gs1_digit(digits: str) -> int:
    """The GS1 mod-10 check digit to append to `digits` (12 digits for a GLN)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += (ord(ch) - 48) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def make_ean(body12: str) -> str:
    """A 13-digit GLN from its first 12 digits."""
    return body12 + str(gs1_digit(body12))


def ean_ok(ean: str) -> bool:
    """True for a 13-digit number with a valid GS1 check digit."""
    return len(ean) == 13 and ean.isdigit() and gs1_digit(ean[:-1]) == int(ean[-1])


def eans_look_ok(values: list[str]) -> np.ndarray:
    """`ean_ok` over many values at once (numpy digit arithmetic, no loop per value)."""
    text = np.asarray(values, dtype=object)
    shaped = np.array([len(v) == 13 and v.isascii() and v.isdigit() for v in text], dtype=bool)
    x = np.zeros(len(text), dtype=np.int64)
    if shaped.any():
        x[shaped] = np.asarray(text[shaped], dtype=np.int64)
    check = x % 10
    body = x // 10
    total = np.zeros(len(x), dtype=np.int64)
    for i in range(12):
        total += (body % 10) * (3 if i % 2 == 0 else 1)
        body //= 10
    return shaped & ((10 - total % 10) % 10 == check)


def cvr_ok(cvr: str) -> bool:
    """The classic CVR mod-11 check (weights 2,7,6,5,4,3,2,1)."""
    if len(cvr) != 8 or not cvr.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(cvr, (2, 7, 6, 5, 4, 3, 2, 1), strict=True)) % 11 == 0


def sor_ids_look_ok(ids: np.ndarray) -> np.ndarray:
    """Vectorised pre-check over int64 ids: True where namespace, partition, length and
    Verhoeff digit are all right. Only the others need `sor_id_problem` for a message."""
    x = np.asarray(ids, dtype=np.int64)
    ok = (x >= 10**10) & (x < 10**18)
    ok &= (x // 1000) % 10**7 == int(SOR_NAMESPACE)
    ok &= (x // 10) % 100 == int(SOR_PARTITION)
    d = np.asarray(_D, dtype=np.int8)
    p = np.asarray(_P, dtype=np.int8)
    c = np.zeros(len(x), dtype=np.int8)
    rest = x.copy()
    for i in range(18):
        live = rest > 0
        if not live.any():
            break
        digit = (rest % 10).astype(np.int8)
        c = np.where(live, d[c, p[i % 8, digit]], c)
        rest //= 10
    return ok & (c == 0)
