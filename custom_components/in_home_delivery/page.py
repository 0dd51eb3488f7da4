"""The courier's and guest's page: small, self-contained, readable on a phone, in English or German.

Every HTML answer is the same document; only its content differs. Its one inline script (allowed by a
CSP hash) reads the token from the link's fragment (`#pass=`), which browsers never send, removes it
from the address bar, and from then on sends it only in POST bodies, asking for JSON that it shows as
text. Names typed by people (entrance, carrier, guest) are escaped here and set as text there.

While a visit is open the script asks for a waiting `status` (`wait`, with the phase and lock state it
shows): the answer comes as soon as either changes, so the page follows the lock at once. Where the
answer did not wait (too many waiting, or an older Home Assistant) it asks again every 1.5 s, and only
the newest of its requests is shown.

The script keeps the token in its tab's session storage (keyed by the page's path, so two entrances'
pages do not mix), never in local storage or a cookie: a reload continues the visit. It forgets the
token when an answer is final: the visit is over, or the link will never open the door again.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .core.wording import page_words
from .linkview import DONE, LinkView, Tone
from .texts import async_get_texts

LANGUAGES = ("en", "de")
# Besides a visit that is over: the answers after which the link never opens the door again.
FINAL_MESSAGES = ("page_used", "page_revoked", "page_unknown_link")

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1c2833}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1.25rem}
h1{font-size:1.5rem;margin:.25rem 0 .25rem;overflow-wrap:anywhere}
.card{background:#fff;border-radius:1rem;padding:1.25rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
.detail{color:#4a5a6a;margin:0 0 .5rem;overflow-wrap:anywhere}
.window{color:#4a5a6a;margin:0 0 1rem}
.message{font-size:1.1rem;line-height:1.5;margin:1rem 0 1.25rem}
.problem{color:#b03a2e;font-weight:600}
.success{color:#2e7d32;font-weight:600}
.waiting::after{content:' \\2026';animation:blink 1s steps(2) infinite}
@keyframes blink{50%{opacity:0}}
button{width:100%;font-size:1.3rem;padding:1rem;border:0;border-radius:.75rem;background:#0277bd;color:#fff}
button.done{background:#2e7d32}
button:disabled{opacity:.5}
button.secondary{background:#fff;color:#0277bd;border:2px solid #0277bd;margin-top:.75rem;font-size:1.1rem}
"""

# The page's only script. It never builds markup from data: every text goes in as textContent.
# Session storage may be refused (private modes): the page then works as before, without reloads.
SCRIPT = """(()=>{
const f=new URLSearchParams(location.hash.slice(1)),q=new URLSearchParams(location.search);
const kept=document.querySelector('input[name=pass]'),key='in_home_delivery:'+location.pathname;
function stored(){try{return sessionStorage.getItem(key);}catch(e){return null;}}
function keep(value){try{if(value)sessionStorage.setItem(key,value);else sessionStorage.removeItem(key);}catch(e){}}
const token=f.get('pass')||q.get('pass')||(kept&&kept.value)||stored();
if(location.hash||q.has('pass'))history.replaceState(null,'',location.pathname);
if(!token)return;
keep(token);
const el=id=>document.getElementById(id);
let timer=0,turn=0,asking=null,seen=null;
function text(id,value){const node=el(id);node.textContent=value||'';node.hidden=!value;}
function render(v){
document.title=v.title;text('title',v.title);text('detail',v.detail);text('window',v.window);
const m=el('message');m.textContent=v.message;m.className='message '+v.tone;
const actions=el('actions');actions.replaceChildren();
for(const [spec,css] of [[v.button,''],[v.also,'secondary']]){if(!spec)continue;
const b=document.createElement('button');b.type='button';b.className=css||spec.action;
b.textContent=spec.label;b.onclick=()=>{b.disabled=true;send(spec.action);};actions.append(b);}
}
async function send(action){
clearTimeout(timer);if(asking)asking.abort();
const mine=++turn,ask={pass:token,action:action},wait=action==='status'&&seen;
if(wait)Object.assign(ask,{wait:10},seen);
asking=new AbortController();let a=null,v=null;
try{const r=await fetch(location.pathname,{method:'POST',cache:'no-store',credentials:'omit',signal:asking.signal,
headers:{'Content-Type':'application/json'},body:JSON.stringify(ask)});
a=await r.json();v=a.view;}catch(e){v=null;}
if(mine!==turn)return;
asking=null;seen=null;
if(!v){const m=el('message');m.textContent=document.body.dataset.offline;m.className='message problem';
timer=setTimeout(()=>send('status'),3000);return;}
render(v);if(v.final)keep(null);if(!v.poll)return;
seen={phase:a.phase,lock:a.lock};
timer=setTimeout(()=>send('status'),wait&&!a.live?1500:0);
}
send('status');
})();"""
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
# The same policy goes in a header and in a meta tag, because Home Assistant Cloud's relay passes on
# only the answer's content type. frame-ancestors works only as a header.
CSP = (
    f"default-src 'none'; script-src '{SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'; "
    "img-src 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": f"{CSP}; frame-ancestors 'none'",
}


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


class PageRenderer:
    """Renders the page, or its JSON view, in the visitor's language."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Use the page's texts (texts/<language>.json)."""
        self.hass = hass

    async def _texts(self, language: str) -> dict[str, str]:
        texts = await async_get_texts(self.hass, language)
        return {key: value for key, value in texts.items() if key.startswith(("page_", "time_"))}

    async def texts(self, language: str) -> dict[str, str]:
        """The page's texts in a language."""
        return await self._texts(language)

    @staticmethod
    def neutral_view(texts: dict[str, str], message_key: str) -> LinkView:
        """A page that names nothing of the home: a link preview, or a link that opens nothing."""
        tone = Tone.INFO if message_key == "page_neutral" else Tone.PROBLEM
        return LinkView(title=texts.get("page_neutral_title", ""), message_key=message_key, tone=tone)

    async def view_json(self, view: LinkView, language: str) -> dict[str, Any]:
        """The view with its texts, for the page's script (which sets them as text)."""
        texts = await self._texts(language)
        return page_words(view, texts, dt_util.utcnow(), dt_util.get_default_time_zone()) | {
            "tone": view.tone.value,
            "poll": view.poll,
            # The visit is over, or the link opens nothing any more: the page forgets its token.
            "final": view.phase == DONE or view.message_key in FINAL_MESSAGES,
        }

    async def render(
        self, view: LinkView | None, language: str, token: str | None = None, *, message_key: str = "page_neutral"
    ) -> str:
        """The whole HTML document: the pass's view, or a page that names nothing of the home (view None)."""
        texts = await self._texts(language)
        if view is None:
            view = self.neutral_view(texts, message_key)
        data = await self.view_json(view, language)
        buttons = ""
        for spec, css in ((data["button"], None), (data["also"], "secondary")):
            if spec and token:
                # A form post (a browser without fetch) gets the same page back; the token rides in the body.
                buttons += (
                    f'<form method="post"><input type="hidden" name="pass" value="{escape(token)}">'
                    f'<button class="{escape(css or spec["action"])}" name="action" value="{escape(spec["action"])}">'
                    f"{escape(spec['label'])}</button></form>"
                )

        def line(element_id: str, css: str, value: str | None) -> str:
            hidden = "" if value else " hidden"
            return f'<p id="{element_id}" class="{css}"{hidden}>{escape(value or "")}</p>'

        return (
            f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{escape(view.title)}</title><style>{STYLE}</style></head>"
            f'<body data-offline="{escape(texts.get("page_offline", ""))}"><main><div class="card">'
            f'<h1 id="title">{escape(view.title)}</h1>{line("detail", "detail", view.detail)}'
            f"{line('window', 'window', data['window'])}"
            f'<p id="message" class="message {view.tone.value}">{escape(data["message"])}</p>'
            f'<div id="actions">{buttons}</div></div></main><script>{SCRIPT}</script></body></html>'
        )
