"""Public pages: the landing page and the health check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, send_file

from casestore.centres import Centre, load_centres
from web.chat import chat_config, stickers

bp = Blueprint("public", __name__)

HOTLINE = "1567"


@dataclass(frozen=True, slots=True)
class Emergency:
    """An emergency number shown on every page."""

    number: str
    th: str
    en: str


EMERGENCY_NUMBERS: tuple[Emergency, ...] = (
    Emergency("191", "ตำรวจ เหตุด่วนเหตุร้าย", "Police"),
    Emergency("1669", "เจ็บป่วยฉุกเฉิน", "Medical emergency"),
    Emergency("199", "ดับเพลิง", "Fire"),
)

_LEADING_VOWELS = frozenset("เแโใไ")
_TONE_MARKS = frozenset("\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d")


def thai_sort_key(text: str) -> tuple[str, str]:
    """Sort key close to Thai dictionary order.

    Leading vowels (เ แ โ ใ ไ) sort after the consonant they precede, and tone marks only
    break ties, so เชียงราย files under ช and น่าน under น.
    """
    chars: list[str] = []
    i = 0
    while i < len(text):
        if text[i] in _LEADING_VOWELS and i + 1 < len(text):
            chars += [text[i + 1], text[i]]
            i += 2
        else:
            chars.append(text[i])
            i += 1
    swapped = "".join(chars)
    return "".join(c for c in swapped if c not in _TONE_MARKS), swapped


def thai_initial(text: str) -> str:
    """The consonant a Thai word is filed under in a dictionary."""
    return thai_sort_key(text)[1][:1]


@dataclass(frozen=True, slots=True)
class CentreRow:
    """One row of the centre table."""

    centre: Centre
    jid: str
    initial: str
    first_of_initial: bool


def centre_rows(bot_domain: str) -> list[CentreRow]:
    """Provincial centres in Thai alphabetical order, with their bot addresses."""
    centres = sorted(
        (c for c in load_centres() if c.kind == "province"),
        key=lambda c: thai_sort_key(c.province_th),
    )
    rows: list[CentreRow] = []
    previous = ""
    for c in centres:
        initial = thai_initial(c.province_th)
        rows.append(CentreRow(c, f"{c.slug}@{bot_domain}", initial, initial != previous))
        previous = initial
    return rows


@bp.app_context_processor
def _page_globals() -> dict[str, object]:
    """Addresses and numbers every page (error pages too) may show."""
    domain: str = current_app.config["DOMAIN"]
    return {
        "domain": domain,
        "bot_domain": f"bot.{domain}",
        "citizen_domain": f"citizens.{domain}",
        "hotline": HOTLINE,
        "emergency": EMERGENCY_NUMBERS,
    }


@bp.get("/")
def index() -> str:
    """Landing page: the web chat, how to report from any XMPP app, the 76 centres."""
    rows = centre_rows(f"bot.{current_app.config['DOMAIN']}")
    example = next((r for r in rows if r.centre.slug == "chiangrai"), rows[0])
    return render_template(
        "index.html",
        rows=rows,
        letters=[r for r in rows if r.first_of_initial],
        example=example,
        chat=chat_config(),
        stickers=stickers(),
    )


GUIDE = Path(__file__).resolve().parent.parent / "docs" / "citizen-guide.pdf"


@bp.get("/guide.pdf")
def citizen_guide() -> Response:
    """The printable citizens' guide (docs/citizen-guide.pdf, built by scripts/build_docs.sh)."""
    if not GUIDE.is_file():
        abort(404)
    return send_file(GUIDE, mimetype="application/pdf", download_name="damrongdham-guide.pdf")


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness check for load balancers and ``damrongdham up``."""
    response = jsonify(status="ok", domain=current_app.config["DOMAIN"])
    response.headers["Cache-Control"] = "no-store"
    return response
