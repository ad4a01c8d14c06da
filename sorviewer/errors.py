"""Exceptions the core raises to its callers."""

from __future__ import annotations

from .messages import Message


class LoadError(Exception):
    """The file cannot be read as SOR: one sentence a clinician understands.

    Raised with a `Message` (code + values), so the window can say it in the user's
    language; `str(exc)` is the English sentence the CLI prints. A plain string is
    still accepted and shown as it is in every language."""

    def __init__(self, message: Message | str) -> None:
        super().__init__(str(message))
        self.message = message

    def render(self, lang: str = "en") -> str:
        """The sentence in `lang` ("da" or "en")."""
        if isinstance(self.message, Message):
            return self.message.render("da" if lang == "da" else "en")
        return self.message


class LoadCancelled(Exception):
    """The caller's `cancelled()` callback asked the loader to stop."""
