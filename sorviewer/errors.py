"""Exceptions the core raises to its callers."""

from __future__ import annotations


class LoadError(Exception):
    """The file cannot be read as SOR. The message is one sentence a clinician understands."""


class LoadCancelled(Exception):
    """The caller's `cancelled()` callback asked the loader to stop."""
