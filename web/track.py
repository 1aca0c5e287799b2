"""Case tracking: a citizen's case reference and PIN → status, timeline, the centre's replies.

``GET /track`` shows the form, ``POST /track`` answers with the case (plain HTML, no
JavaScript, so it works on any phone); ``POST /track.json`` answers the same in JSON for
the web chat. What is shown: status (Thai and English), a timeline of status changes with
Buddhist-era dates in Thai time, and what the centre sent the citizen (agents' replies and
system notices). Never internal notes, agents' addresses, the citizen's own messages or
anyone else's data.

Guessing is slow and says nothing, and cannot lock a citizen out: all attempts are limited
per client address (``casestore.ratelimit``); wrong PINs go to ``casestore.pin_guard``
(shared by every worker), where an address that gave too many wrong PINs is refused, and a
case that got wrong PINs only slows down, with a growing delay, the addresses that failed —
an address that has not failed always has its PIN checked, so the right PIN works however
many strangers guessed at the case's (public, sequential) reference. Refusals are HTTP 429
with Retry-After and a Thai/English "try again at". A wrong PIN and a case that does not
exist give the same answer, status and time (``CaseStore.check_pin`` verifies against a
dummy hash when there is no case). The form carries a signed token bound to a cookie
(CSRF); the PIN travels only in POST bodies, never in a URL, and is never logged.

Limits are app settings, each (count, seconds): ``TRACK_LIMIT_IP`` (attempts per address),
``TRACK_LIMIT_SOURCE`` (wrong PINs per address before it is refused) and ``TRACK_LIMIT_REF``
(wrong PINs on a case before its back-off starts).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge

from casestore import CaseRef, CaseView, EventView, MessageView, Status, parse_ref
from casestore.centres import centre_by_slug
from casestore.events import TRANSFER_ARROW, EventKind
from casestore.labels import STATUS_EN, STATUS_TH
from casestore.open311_format import TYPE_LABELS, topic_label
from casestore.pin_guard import PinGuard, PinLimits
from casestore.pins import verify_pin
from casestore.refs import BANGKOK, BE_OFFSET, as_utc, utcnow
from web import db

bp = Blueprint("track", __name__)

MAX_BODY = 16 * 1024
IP_LIMIT = (30, 10 * 60)  # attempts per client address per 10 minutes
SOURCE_LIMIT = (5, 60 * 60)  # wrong PINs per client address per hour, then refused
REF_LIMIT = (3, 60 * 60)  # wrong PINs on a case before it slows down failed addresses
CSRF_COOKIE = "dd_track"
CSRF_MAX_AGE = 6 * 60 * 60
_CSRF_SALT = "damrongdham-track-form"

THAI_MONTHS = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d_./]")
_SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_BARE_REF = re.compile(r"(TH\d{2})(\d{4})(\d{6})", re.IGNORECASE | re.ASCII)

# (HTTP status, Thai, English) of every answer that is not a case
MESSAGES: dict[str, tuple[int, str, str]] = {
    "csrf": (
        400,
        "แบบฟอร์มหมดอายุหรือไม่สมบูรณ์ กรุณากด “ดูสถานะ” อีกครั้ง",
        "The form had expired. Please press “Show status” again.",
    ),
    "ref": (
        400,
        "เลขที่เรื่องไม่ถูกต้อง ตัวอย่าง: TH57-2569-000001",
        "That is not a case reference. It looks like TH57-2569-000001.",
    ),
    "pin": (
        400,
        "รหัส PIN คือตัวเลข 6 หลักที่ได้รับในแชตพร้อมเลขที่เรื่อง",
        "The PIN is the 6 digits you got in the chat with the case reference.",
    ),
    "no_match": (
        404,
        "ไม่พบเรื่องที่ตรงกับเลขที่เรื่องและรหัส PIN นี้ กรุณาตรวจสอบทั้งสองอย่างแล้วลองอีกครั้ง",
        "No case matches this reference and PIN. Please check both and try again.",
    ),
    "rate_limited": (
        429,
        "ลองหลายครั้งเกินไป กรุณาลองใหม่อีกครั้งใน {wait_th} (หลังเวลา {at_th} น.)",
        "Too many attempts. Please try again in {wait_en} (after {at_en} Thai time).",
    ),
    "too_large": (
        413,
        "ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป (ไม่เกิน 16 KB) กรุณากรอกเฉพาะเลขที่เรื่องและรหัส PIN",
        "What was sent is too large (16 KB at most): enter only the case reference and PIN.",
    ),
    "json_required": (
        415,
        "ต้องส่งเป็น JSON (Content-Type: application/json)",
        "Send JSON (Content-Type: application/json).",
    ),
    "bad_json": (
        400,
        "ข้อมูล JSON ไม่ถูกต้อง ต้องเป็น {\"ref\": \"…\", \"pin\": \"…\"}",
        "The JSON must be an object {\"ref\": \"…\", \"pin\": \"…\"}.",
    ),
    "cross_origin": (
        403,
        "ไม่รับคำขอจากเว็บไซต์อื่น",
        "Requests from other sites are not accepted.",
    ),
}


@bp.record_once
def _warm_dummy_hash(_state: object) -> None:
    # The first check of a missing case would also compute the dummy hash; do it now so
    # every "no such case" costs one hash, like a wrong PIN for a real case.
    verify_pin("000000", None)


# -- reading what people type --------------------------------------------------------------


def normalise_ref(text: object) -> CaseRef | None:
    """A case reference however it was typed: any case, spaces, Thai or full-width digits,
    odd dashes, or no dashes at all (``th 57 2569 000001``, ``TH572569000001``)."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    t = unicodedata.normalize("NFKC", text).translate(_THAI_DIGITS)
    t = _DASHES.sub("-", _SPACES.sub("", t))
    bare = _BARE_REF.fullmatch(t.replace("-", ""))
    if bare:
        t = "-".join(bare.groups())
    return parse_ref(t)


def normalise_pin(text: object) -> str | None:
    """Six digits (Thai digits and spaces allowed), or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    t = unicodedata.normalize("NFKC", text).translate(_THAI_DIGITS)
    t = _DASHES.sub("", _SPACES.sub("", t)).replace("-", "")
    return t if len(t) == 6 and t.isascii() and t.isdigit() else None


# -- how dates read ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stamp:
    """A moment as ISO (Thai time), in Thai with the Buddhist-era year, and in English."""

    iso: str
    th: str
    en: str

    @classmethod
    def of(cls, at: datetime) -> Stamp:
        local = as_utc(at).astimezone(BANGKOK)
        th = (
            f"{local.day} {THAI_MONTHS[local.month - 1]} {local.year + BE_OFFSET} "
            f"เวลา {local:%H:%M} น."
        )
        en = f"{local.day} {local:%b %Y, %H:%M} (Thai time)"
        return cls(local.isoformat(timespec="seconds"), th, en)


def _wait(seconds: int) -> dict[str, str]:
    until = Stamp.of(utcnow() + timedelta(seconds=seconds))
    if seconds < 60:
        wait_th, wait_en = f"{seconds} วินาที", f"{seconds} seconds"
    else:
        minutes = math.ceil(seconds / 60)
        wait_th, wait_en = f"{minutes} นาที", f"{minutes} minute{'s' if minutes > 1 else ''}"
    clock = until.iso[11:16]
    return {"wait_th": wait_th, "wait_en": wait_en, "at_th": clock, "at_en": clock}


# -- what the citizen sees -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the timeline."""

    at: Stamp
    th: str
    en: str
    status: str | None


@dataclass(frozen=True, slots=True)
class Reply:
    """A message the centre sent the citizen (never who of the staff wrote it)."""

    at: Stamp
    kind: str  # "staff" | "notice"
    from_th: str
    from_en: str
    body: str


@dataclass(frozen=True, slots=True)
class TrackedCase:
    ref: str
    status: str
    status_th: str
    status_en: str
    is_open: bool
    centre_th: str
    centre_en: str
    type_th: str
    type_en: str
    topic_th: str
    topic_en: str
    opened: Stamp
    updated: Stamp
    timeline: list[Step] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _centre_names(slug: str) -> tuple[str, str]:
    centre = centre_by_slug(slug)
    return (centre.name_th, centre.name_en) if centre else ("ศูนย์ดำรงธรรม", "Damrongdham Centre")


def _step(ev: EventView) -> Step | None:
    at = Stamp.of(ev.at)
    to = ev.to_status
    if ev.kind == EventKind.OPENED:
        return Step(at, "เปิดเรื่อง · " + STATUS_TH[Status.NEW], "Case opened", Status.NEW.value)
    if ev.kind == EventKind.TRANSFERRED:
        target = (ev.note or "").partition(TRANSFER_ARROW)[2].partition(":")[0].strip()
        centre = centre_by_slug(target) if target else None
        if centre is None:
            return None
        return Step(at, f"โอนเรื่องไปยัง{centre.name_th}", f"Moved to the {centre.name_en}",
                    to.value if to else None)
    if ev.kind == EventKind.MERGED and to is not None:
        into = parse_ref(ev.note or "")
        if into is not None:
            return Step(at, f"{STATUS_TH[to]} (เรื่อง {into})", f"Merged into case {into}",
                        to.value)
    if to is not None:
        return Step(at, f"สถานะ: {STATUS_TH[to]}", f"Status: {STATUS_EN[to]}", to.value)
    return None


def _reply(msg: MessageView) -> Reply | None:
    if msg.direction == "agent":
        return Reply(Stamp.of(msg.created_at), "staff", "เจ้าหน้าที่ศูนย์ดำรงธรรม",
                     "Centre staff", msg.body)
    if msg.direction == "system":
        return Reply(Stamp.of(msg.created_at), "notice", "แจ้งจากระบบ", "Notice", msg.body)
    return None  # the citizen's own words and internal notes are not shown


def tracked(case: CaseView, events: list[EventView], messages: list[MessageView]) -> TrackedCase:
    """What tracking shows of a case, from the store's views."""
    centre_th, centre_en = _centre_names(case.centre)
    type_th, type_en = TYPE_LABELS.get(case.type, (case.type, case.type))
    topic_th, topic_en = topic_label(case.topic)
    shown_events = [(e.at, step) for e in events if (step := _step(e)) is not None]
    shown_messages = [(m.created_at, reply) for m in messages if (reply := _reply(m)) is not None]
    # the last thing the citizen can see here, not Case.updated_at (which notes move too)
    last = max([case.created_at] + [at for at, _ in shown_events + shown_messages])
    return TrackedCase(
        ref=case.ref,
        status=case.status.value,
        status_th=STATUS_TH[case.status],
        status_en=STATUS_EN[case.status],
        is_open=case.is_open,
        centre_th=centre_th,
        centre_en=centre_en,
        type_th=type_th,
        type_en=type_en,
        topic_th=topic_th,
        topic_en=topic_en.lower(),
        opened=Stamp.of(case.created_at),
        updated=Stamp.of(last),
        timeline=[step for _, step in shown_events],
        replies=[reply for _, reply in shown_messages],
    )


# -- the lookup, shared by the page and the JSON ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    error: str | None = None
    case: TrackedCase | None = None
    retry_after: int | None = None
    words: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> tuple[str, str] | None:
        if self.error is None:
            return None
        _code, th, en = MESSAGES[self.error]
        if not self.words:
            return th, en
        return th.format(**self.words), en.format(**self.words)


def _failed(error: str, retry_after: int | None = None) -> Outcome:
    words = _wait(retry_after) if retry_after is not None else {}
    return Outcome(MESSAGES[error][0], error, None, retry_after, words)


def _limit(name: str, default: tuple[int, int]) -> tuple[int, timedelta]:
    hits, seconds = current_app.config.get(name, default)
    return int(hits), timedelta(seconds=int(seconds))


def _address_key() -> str:
    """The client's address as /track's rate limit counts it: a keyed hash (the app's
    secret key, never in the database), not the address. Its row is written in the same
    second as the case reference's (``track:ref:…``): in clear it would tie an address to
    a case — to an anonymous tip whose tipster checks on it. A copy of the database alone
    cannot turn it back into the address."""
    address = (request.remote_addr or "unknown").encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return "h:" + hmac.new(key, address, hashlib.sha256).hexdigest()[:24]


def _pin_guard(store: Any) -> PinGuard:
    src_limit, src_window = _limit("TRACK_LIMIT_SOURCE", SOURCE_LIMIT)
    free, case_window = _limit("TRACK_LIMIT_REF", REF_LIMIT)
    return PinGuard(
        store,
        PinLimits(source_limit=src_limit, case_free=free, window=max(src_window, case_window)),
    )


def look_up(ref_text: object, pin_text: object) -> Outcome:
    """Rate limits, then the reference and PIN; the case only when both are right."""
    limits = db.limiter()
    ip_limit, ip_window = _limit("TRACK_LIMIT_IP", IP_LIMIT)
    verdict = limits.hit(f"track:ip:{_address_key()}", ip_limit, ip_window)
    if not verdict.allowed:
        return _failed("rate_limited", verdict.retry_after_s)
    ref = normalise_ref(ref_text)
    if ref is None:
        return _failed("ref")
    pin = normalise_pin(pin_text)
    if pin is None:
        return _failed("pin")
    store = db.store()
    guard = _pin_guard(store)
    source = f"ip:{_address_key()}"  # keyed hash: no address beside the reference
    wait = guard.wait(ref, source)
    if wait:
        return _failed("rate_limited", wait)
    if not store.check_pin(ref, pin):  # as slow for a missing case as for a wrong PIN
        guard.failed(ref, source)
        return _failed("no_match")
    guard.succeeded(ref, source)
    case = store.get(ref)
    if case is None:  # deleted in between
        return _failed("no_match")
    return Outcome(200, case=tracked(case, store.events(ref), store.transcript(ref)))


# -- CSRF: a signed token bound to a cookie ---------------------------------------------------


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_CSRF_SALT)  # type: ignore[arg-type]


def _nonce() -> str:
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if re.fullmatch(r"[A-Za-z0-9_-]{22,64}", current) else secrets.token_urlsafe(24)


def _csrf_ok(token: object) -> bool:
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not isinstance(token, str) or not nonce or len(token) > 300:
        return False
    try:
        signed = _signer().loads(token, max_age=CSRF_MAX_AGE)
    except BadSignature:  # also SignatureExpired
        return False
    return isinstance(signed, str) and hmac.compare_digest(signed, nonce)


# -- pages ---------------------------------------------------------------------------------


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_BODY
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise RequestEntityTooLarge()


def _page(outcome: Outcome | None, ref_value: str = "") -> Response:
    nonce = _nonce()
    html = render_template(
        "track.html",
        csrf=_signer().dumps(nonce),
        ref_value=ref_value,
        error=outcome.message if outcome else None,
        case=outcome.case if outcome else None,
    )
    response = make_response(html, outcome.status if outcome else 200)
    response.set_cookie(
        CSRF_COOKIE, nonce, max_age=CSRF_MAX_AGE, path="/track", httponly=True,
        samesite="Lax", secure=request.is_secure,
    )
    response.headers["Cache-Control"] = "no-store"
    if outcome and outcome.retry_after is not None:
        response.headers["Retry-After"] = str(outcome.retry_after)
    return response


@bp.get("/track")
def track_form() -> Response:
    """The form; ``?ref=`` fills in the reference (never the PIN)."""
    ref = request.args.get("ref", "")
    parsed = normalise_ref(ref)
    return _page(None, str(parsed) if parsed else "")


@bp.post("/track")
def track() -> Response:
    """The form's answer: the case, or why not (the PIN is never put back in the form)."""
    ref_text = request.form.get("ref", "")
    shown = ref_text.strip()[:40]
    if not _csrf_ok(request.form.get("csrf")):
        return _page(_failed("csrf"), shown)
    outcome = look_up(ref_text, request.form.get("pin", ""))
    if outcome.case is not None:
        shown = outcome.case.ref
    return _page(outcome, shown)


def _json(outcome: Outcome) -> Response:
    if outcome.case is not None:
        response = jsonify(outcome.case.as_json())
    else:
        th, en = outcome.message or ("", "")
        body: dict[str, Any] = {"error": outcome.error, "message_th": th, "message_en": en}
        if outcome.retry_after is not None:
            body["retry_after"] = outcome.retry_after
        response = jsonify(body)
    response.status_code = outcome.status
    response.headers["Cache-Control"] = "no-store"
    if outcome.retry_after is not None:
        response.headers["Retry-After"] = str(outcome.retry_after)
    return response


def _same_origin() -> bool:
    """No Origin (not a browser's cross-site request) or this host's. The host only, not the
    scheme: behind a TLS proxy the app may see http while the browser says https."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc.lower() == request.host.lower()


@bp.post("/track.json")
def track_json() -> Response:
    """``{"ref": "...", "pin": "..."}`` → the case as JSON, or ``{"error", "message_th",
    "message_en"}`` with the same statuses as the page. JSON only (no form posts), same
    origin only: another site cannot make a browser send it."""
    if request.mimetype != "application/json":
        return _json(_failed("json_required"))
    if not _same_origin():
        return _json(_failed("cross_origin"))
    try:
        data = json.loads(request.get_data(cache=True).decode("utf-8"))
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return _json(_failed("bad_json"))
    return _json(look_up(data.get("ref"), data.get("pin")))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Response:
    if request.path.endswith(".json"):
        return _json(_failed("too_large"))
    return _page(_failed("too_large"))
