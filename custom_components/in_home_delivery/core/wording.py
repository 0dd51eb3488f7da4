"""Which text a reader gets, and the page's words: pure functions of the texts of one language.

A text may have variants, named by suffixes on its key: `_garage` (a garage door opens and closes,
it is not unlocked and locked), `_guest` (a guest is addressed otherwise than a courier: in German
with du, not Sie), `_owner` (a visit the owner let in, or an unlock by hand: no "Owner opened the
door"). A language has a variant only where it reads differently; the most specific one it has wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from itertools import combinations
from typing import Any

from .page import LinkView
from .when import span


def variant(texts: Mapping[str, str], key: str, suffixes: Sequence[str]) -> str:
    """The key of the most specific variant the texts have: key with every suffix that applies, then fewer."""
    for size in range(len(suffixes), 0, -1):
        for chosen in combinations(suffixes, size):
            if (candidate := key + "".join(chosen)) in texts:
                return candidate
    return key


def page_words(view: LinkView, texts: Mapping[str, str], now: datetime, tz: tzinfo) -> dict[str, Any]:
    """The page's texts for a view: its message, window and buttons, in one language."""

    def text(key: str) -> str:
        return texts.get(variant(texts, key, view.variants), key)

    def button(action: str | None, again: bool = False) -> dict[str, str] | None:
        if not action:
            return None
        return {"action": action, "label": text(f"page_button_{action}{'_again' if again else ''}")}

    message = text(view.message_key)
    if view.then is not None:
        message = f"{message} {text(view.then)}"
    if view.minutes_left is not None:
        message = f"{message} {text('page_minutes_left').replace('{minutes}', str(view.minutes_left))}"
    window = None
    if view.window is not None:
        window = f"{text(view.window_key)} {span(*view.window, now, tz, texts)}"
    return {
        "title": view.title,
        "detail": view.detail,
        "window": window,
        "message": message,
        "button": button(view.button),
        "also": button(view.also, again=True),
    }
