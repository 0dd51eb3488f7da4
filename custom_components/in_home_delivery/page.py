"""The courier's and guest's page: small, self-contained, readable on a phone, in English or German.

It names only the entrance's label, the window and what happens next; no outside assets, no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .const import DOMAIN

LANGUAGES = ("en", "de")
CATEGORY = "exceptions"

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1c2833}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1.25rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
.card{background:#fff;border-radius:1rem;padding:1.25rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
.window{color:#4a5a6a;margin:0 0 1rem}
.message{font-size:1.1rem;line-height:1.5;margin:0 0 1.25rem}
.problem{color:#b03a2e}
button{width:100%;font-size:1.3rem;padding:1rem;border:0;border-radius:.75rem;background:#0277bd;color:#fff}
button.done{background:#2e7d32}
"""


def pick_language(accept_language: str | None) -> str:
    """The first of our languages the visitor's browser asks for, by preference; English otherwise."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, language in sorted(weighted):
        if language in LANGUAGES:
            return language
    return "en"


@dataclass(frozen=True, kw_only=True)
class PageContent:
    """What the page says."""

    title: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    window_key: str = "page_window"
    message_key: str
    problem: bool = False
    button: str | None = None  # "unlock" or "done"


class PageRenderer:
    """Renders the page in the visitor's language."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Use Home Assistant's translations of this integration."""
        self.hass = hass

    async def _texts(self, language: str) -> dict[str, str]:
        translations = await async_get_translations(self.hass, language, CATEGORY, [DOMAIN])
        prefix = f"component.{DOMAIN}.{CATEGORY}."
        return {
            key.removeprefix(prefix).removesuffix(".message"): value
            for key, value in translations.items()
            if key.startswith(f"{prefix}page_")
        }

    async def render(self, content: PageContent, language: str) -> str:
        """Return the whole HTML document."""
        texts = await self._texts(language)

        def text(key: str) -> str:
            return escape(texts.get(key, key))

        window = ""
        if content.window_start and content.window_end:
            start, end = dt_util.as_local(content.window_start), dt_util.as_local(content.window_end)
            same_day = start.date() == end.date()
            until = end.strftime("%H:%M") if same_day else end.strftime("%Y-%m-%d %H:%M")
            window = f'<p class="window">{text(content.window_key)} {start:%Y-%m-%d %H:%M} &ndash; {until}</p>'
        button = ""
        if content.button:
            css = ' class="done"' if content.button == "done" else ""
            button = (
                f'<form method="post"><button{css} name="action" value="{content.button}">'
                f"{text(f'page_button_{content.button}')}</button></form>"
            )
        message_class = "message problem" if content.problem else "message"
        return (
            f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex, nofollow">'
            f"<title>{escape(content.title)}</title><style>{STYLE}</style></head>"
            f'<body><main><div class="card"><h1>{escape(content.title)}</h1>{window}'
            f'<p class="{message_class}">{text(content.message_key)}</p>{button}</div></main></body></html>'
        )
