"""Exceptions the core raises to its callers, and which exceptions a bad file causes.

The error policy (docs/ARCHITECTURE.md, "Errors"): a file that cannot be read ends in
`LoadError` with one sentence; anything else that goes wrong is a bug in the program
and propagates as what it is, so that it is never reported as a damaged file.
"""

from __future__ import annotations

import lzma
import zipfile
import zlib

from .messages import Message

#: Exceptions that reading a damaged or hostile file raises from the standard library's
#: file, zip and decompression code. Only these (and each reader's own narrower list
#: where it calls a parser) are turned into `LoadError`; a `ValueError`, `KeyError`,
#: `IndexError` or `TypeError` from our own code is a bug, not a bad file. (`bz2` raises
#: `OSError` for a damaged stream; `UnicodeError` covers undecodable zip member names.)
FILE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    UnicodeError,
)


class LoadError(Exception):
    """The file cannot be read as SOR: one sentence a clinician understands.

    Raised with a `Message` (code + values), so the window can say it in the user's
    language; `str(exc)` is the English sentence the CLI prints."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message

    def render(self, lang: str = "en") -> str:
        """The sentence in `lang` ("da" or "en")."""
        return self.message.render("da" if lang == "da" else "en")


class LoadCancelled(Exception):
    """The caller's `cancelled()` callback asked the loader (or a comparison's second
    step, `diff.finish`) to stop."""
