"""The citizen web chat: a real XMPP client in the browser (Strophe.js over Prosody's WebSocket).

What this module serves (the page itself is ``/``, rendered by ``web.public``):

``GET /sw.js``
    The service worker (source ``static/chat/sw.js``) with the app shell's file list and a
    version derived from those files' contents, so a deploy replaces the cached shell.
``GET /chat/centres.json``
    The 76 provincial centres: slug, Thai/English names, lat/lon, phone, bot address.
``GET /chat/lib/<file>``
    The XMPP library, from ``web/node_modules`` (installed by ``npm ci``; never a CDN).
``POST /chat/api/account``
    Creates a citizen account ``w<random>@citizens.D`` with a random password by XEP-0077
    in-band registration from this server over c2s; rate-limited per client address in the
    database (``web.db.limiter``). The password is returned once and never logged.
``PUT /chat/api/upload``
    Forwards a photo to the XEP-0363 slot the browser was given (``X-Upload-Url``): the
    upload service lives on Prosody's HTTP port, another origin than the page, so the page
    cannot PUT there itself under its content security policy. Only URLs under
    ``/file_share/`` on the WebSocket's host are accepted. An upload of an anonymous session
    (the slot's token names the placeholder ``anonymous@anon.D``, see
    ``prosody/modules/mod_damrongdham_anon_upload.lua``) is counted in one bucket for all
    anonymous uploads, never under the client's address: no row of the database ties an
    address to the time of an anonymous upload.

Settings beyond ``web.load_settings`` (all optional ``create_app(config)`` keys):
``CHAT_ACCOUNT_LIMIT`` (per client address per hour, default 30), ``CHAT_ACCOUNT_GLOBAL_LIMIT``
(all addresses per hour, default 2000), ``CHAT_UPLOAD_LIMIT`` (uploads per address per hour,
default 120), ``CHAT_ANON_UPLOAD_LIMIT`` (anonymous uploads per hour, all together, default
600), ``CHAT_UPLOAD_MAX_BYTES`` (default 10 MB, Prosody's limit), ``CHAT_UPLOAD_ADDRESS_BYTES``
(bytes per client address per day, default 100 MB, as Prosody's per-account daily quota),
``CHAT_UPLOAD_GLOBAL_LIMIT`` (uploads per hour, all clients together, default 2000) and
``CHAT_UPLOAD_GLOBAL_BYTES`` (bytes per day, all clients together, default 2 GB;
``DAMRONGDHAM_UPLOAD_DAILY_MB``). Bytes are counted in KiB. A refusal names the quota in
Thai and English (``message_th``/``message_en``), which the page shows.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import http.client
import json
import logging
import re
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    request,
    send_from_directory,
)

from casestore import places
from casestore.centres import load_centres
from casestore.reserved_names import is_reserved
from kernel.imagemeta import blank_metadata

log = logging.getLogger(__name__)

bp = Blueprint("chat", __name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
LIBRARY_PACKAGE = "strophe.js"
# Files of the npm package the page may load (name -> path inside the package).
LIBRARY_FILES: dict[str, str] = {"strophe.esm.js": "dist/strophe.esm.js"}
# The app shell the service worker keeps for offline use (besides "/").
SHELL_STATIC = (
    "style.css",
    "favicon.svg",
    "chat/chat.css",
    "chat/app.js",
    "chat/store.js",
    "chat/xmpp.js",
    "chat/manifest.json",
    "chat/icon.svg",
)

MAX_JSON_BYTES = 4096  # the account request carries at most a tiny JSON object
USER_ALPHABET = string.ascii_lowercase + string.digits
REGISTER_TIMEOUT_S = 15.0
UPLOAD_TIMEOUT_S = 60.0


# -- stickers --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sticker:
    """A one-tap report: its text is a Thai sentence the triage files under ``topic``."""

    key: str
    emoji: str
    th: str
    en: str
    topic: str  # casestore.vocab.TOPICS
    text: str


STICKERS: tuple[Sticker, ...] = (
    Sticker("road", "🛣️", "ถนนชำรุด", "Road", "infrastructure",
            "ถนนในหมู่บ้านชำรุดเป็นหลุมเป็นบ่อ รถสัญจรลำบาก ขอให้ซ่อมแซมถนน"),
    Sticker("water", "🚰", "น้ำประปา", "Water supply", "infrastructure",
            "น้ำประปาไม่ไหลมาหลายวันแล้ว ชาวบ้านเดือดร้อน ขอให้ช่วยแก้ไข"),
    Sticker("power", "💡", "ไฟฟ้า/ไฟถนน", "Electricity", "infrastructure",
            "ไฟฟ้าดับบ่อยและไฟส่องสว่างถนนเสีย กลางคืนมืดมาก ขอให้มาซ่อม"),
    Sticker("noise", "🔊", "เสียงดัง", "Noise", "nuisance",
            "เพื่อนบ้านเปิดเพลงเสียงดังรบกวนทุกคืน นอนไม่หลับ"),
    Sticker("drugs", "💊", "ยาเสพติด", "Drugs", "drugs",
            "มีการซื้อขายยาบ้าในหมู่บ้าน ขอแจ้งเบาะแส"),
    Sticker("debt", "💸", "หนี้นอกระบบ", "Loan sharks", "debt",
            "ถูกเจ้าหนี้นอกระบบทวงหนี้และคิดดอกเบี้ยสูงมาก ขอความช่วยเหลือ"),
    Sticker("land", "🏞️", "ที่ดิน", "Land", "land",
            "มีข้อพิพาทเรื่องที่ดิน เพื่อนบ้านรุกล้ำแนวเขตที่ดิน"),
    Sticker("gambling", "🎲", "การพนัน", "Gambling", "gambling",
            "มีบ่อนการพนันเปิดในชุมชน ขอแจ้งเบาะแส"),
    Sticker("environment", "🏭", "ขยะ/มลพิษ", "Pollution", "environment",
            "มีการเผาขยะและโรงงานปล่อยน้ำเสียลงคลอง กลิ่นเหม็นมาก"),
    Sticker("consumer", "🛒", "ผู้บริโภค", "Consumer", "consumer",
            "ซื้อสินค้าออนไลน์แล้วไม่ได้รับของ ร้านค้าไม่คืนเงิน"),
    Sticker("labour", "👷", "ค่าจ้าง/แรงงาน", "Wages", "labour",
            "นายจ้างไม่จ่ายค่าจ้างมาสองเดือนแล้ว"),
    Sticker("corruption", "🕵️", "ทุจริต", "Corruption", "corruption",
            "เจ้าหน้าที่เรียกรับเงินใต้โต๊ะเพื่อให้บริการ ขอร้องเรียนการทุจริต"),
    Sticker("family", "👪", "ครอบครัว", "Family", "family",
            "มีปัญหาครอบครัว ขอคำปรึกษาเรื่องค่าเลี้ยงดูบุตร"),
    Sticker("welfare", "🤝", "สวัสดิการ", "Welfare", "welfare",
            "ขอความช่วยเหลือเรื่องเบี้ยยังชีพผู้สูงอายุ ยังไม่ได้รับเงิน"),
)


# -- configuration the page needs -------------------------------------------------------------


def chat_config() -> dict[str, Any]:
    """Addresses and URLs the browser client reads from the page (``data-*`` attributes)."""
    domain: str = current_app.config["DOMAIN"]
    return {
        "domain": domain,
        "bot_domain": f"bot.{domain}",
        "citizen_domain": f"citizens.{domain}",
        "anon_domain": f"anon.{domain}",
        "upload_domain": f"upload.{domain}",
        "websocket_url": current_app.config.get("WEBSOCKET_URL") or "",
    }


def stickers() -> tuple[Sticker, ...]:
    return STICKERS


# -- centres ----------------------------------------------------------------------------------


def centres_payload(domain: str) -> dict[str, Any]:
    from web.public import HOTLINE, thai_sort_key

    rows = []
    for c in sorted(load_centres(), key=lambda c: thai_sort_key(c.province_th)):
        where = places.centre_point(c)
        rows.append(
            {
                "slug": c.slug,
                "iso": c.iso,
                "ref_prefix": c.ref_prefix,
                "name_th": c.name_th,
                "name_en": c.name_en,
                "province_th": c.province_th,
                "province_en": c.province_en,
                "lat": where[0] if where else None,
                "lon": where[1] if where else None,
                "phone": c.phone,
                "jid": f"{c.slug}@bot.{domain}",
            }
        )
    return {
        "domain": domain,
        "bot_domain": f"bot.{domain}",
        "hotline": HOTLINE,
        "location_note": "lat/lon: approximate town centre of the provincial seat",
        "centres": rows,
    }


@bp.get("/chat/centres.json")
def centres_json() -> Response:
    response = jsonify(centres_payload(current_app.config["DOMAIN"]))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# -- the library and the service worker -------------------------------------------------------


def node_modules_dirs() -> list[Path]:
    """Where ``npm ci`` may have put the packages: next to this file (a checkout or editable
    install), else ``./web/node_modules`` of the working directory (the Docker image)."""
    return [WEB_DIR / "node_modules", Path.cwd() / "web" / "node_modules"]


def library_path(name: str) -> Path | None:
    inner = LIBRARY_FILES.get(name)
    if inner is None:
        return None
    for base in node_modules_dirs():
        path = base / LIBRARY_PACKAGE / inner
        if path.is_file():
            return path
    return None


@bp.get("/chat/lib/<name>")
def library(name: str) -> Response:
    path = library_path(name)
    if path is None:
        abort(404)
    response = send_from_directory(path.parent, path.name, max_age=86400)
    response.mimetype = "text/javascript"
    return response


@functools.cache
def _shell_version(files: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in files:
        path = Path(name)
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:16]


def shell_urls() -> list[str]:
    """What the service worker caches on install: the page, its files, the centres."""
    return [
        "/",
        *(f"/static/{name}" for name in SHELL_STATIC),
        "/chat/lib/strophe.esm.js",
        "/chat/centres.json",
    ]


def shell_version() -> str:
    """Changes whenever a shell file, the library, a template or the centre data changes."""
    lib = library_path("strophe.esm.js")
    files = [
        *(str(STATIC_DIR / name) for name in SHELL_STATIC),
        str(STATIC_DIR / "chat" / "sw.js"),
        str(lib) if lib else "no-library",
        *sorted(str(p) for p in (WEB_DIR / "templates").glob("*.html")),
        *(str(p) for p in places.data_files()),
        str(Path(__file__)),
    ]
    return _shell_version(tuple(files))


@bp.get("/sw.js")
def service_worker() -> Response:
    """Served from the root so its scope covers ``/``."""
    source = (STATIC_DIR / "chat" / "sw.js").read_text(encoding="utf-8")
    source = source.replace('"__VERSION__"', json.dumps(shell_version())).replace(
        "__SHELL__", json.dumps(shell_urls())
    )
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


# -- API helpers --------------------------------------------------------------------------------


def _error(status: int, code: str, th: str, en: str, **extra: Any) -> Response:
    response = jsonify(error=code, message_th=th, message_en=en, **extra)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _limited(bucket: str, limit: int, window: timedelta) -> Response | None:
    """None when allowed, else the 429 answer (or 503 when no database is configured)."""
    from web.db import limiter

    try:
        verdict = limiter().hit(bucket, limit, window)
    except RuntimeError:
        return _error(503, "unavailable", "ระบบยังไม่พร้อมใช้งาน", "The service is not configured")
    if verdict.allowed:
        return None
    response = _error(
        429,
        "rate_limited",
        "มีการขอมากเกินไป โปรดลองใหม่ภายหลัง",
        "Too many requests; try again later",
        retry_after=verdict.retry_after_s,
    )
    response.headers["Retry-After"] = str(verdict.retry_after_s)
    return response


def _read_small_json() -> tuple[dict[str, Any] | None, Response | None]:
    """The request's JSON object (empty body = {}), refusing anything large or malformed."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        return None, _error(413, "too_large", "ข้อมูลใหญ่เกินไป", "Request body too large")
    raw = request.stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        return None, _error(413, "too_large", "ข้อมูลใหญ่เกินไป", "Request body too large")
    if not raw.strip():
        return {}, None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, _error(400, "bad_json", "ข้อมูลไม่ถูกต้อง", "Malformed JSON")
    if not isinstance(data, dict):
        return None, _error(400, "bad_json", "ข้อมูลไม่ถูกต้อง", "Expected a JSON object")
    return data, None


# -- accounts -----------------------------------------------------------------------------------


def new_credentials(citizen_domain: str) -> tuple[str, str]:
    """A random account: ``w`` + 12 letters/digits (≈62 bits), password of ≈143 bits; never
    a reserved name (``casestore.reserved_names``, which Prosody refuses as well)."""
    while True:
        user = "w" + "".join(secrets.choice(USER_ALPHABET) for _ in range(12))
        if not is_reserved(user):
            return f"{user}@{citizen_domain}", secrets.token_urlsafe(18)


def _ca_file() -> Path | None:
    data_dir = current_app.config.get("DATA_DIR")
    if data_dir:
        ca = Path(data_dir) / "certs" / "ca.crt"
        if ca.is_file():
            return ca
    return None


async def _register_async(jid: str, password: str, host: str, port: int, ca: Path | None) -> None:
    from kernel.xmpp import close_client, register_account

    client = await register_account(jid, password, host, port, ca, timeout=REGISTER_TIMEOUT_S)
    await close_client(client)


def register(jid: str, password: str) -> None:
    """Create the account by in-band registration over c2s; XmppConnectError on failure."""
    cfg = current_app.config
    asyncio.run(_register_async(jid, password, cfg["C2S_HOST"], cfg["C2S_PORT"], _ca_file()))


@bp.post("/chat/api/account")
def create_account() -> Response:
    """A new citizen account for this browser. Needs ``Content-Type: application/json`` (a
    cross-site form cannot send that without the browser asking first)."""
    if request.mimetype != "application/json":
        return _error(415, "json_only", "ต้องส่งเป็น JSON", "Send Content-Type: application/json")
    _data, bad = _read_small_json()
    if bad is not None:
        return bad
    cfg = current_app.config
    hour = timedelta(hours=1)
    if (limited := _limited(f"chat-account:ip:{_client_address()}",
                            int(cfg.get("CHAT_ACCOUNT_LIMIT", 30)), hour)) is not None:
        return limited
    if (limited := _limited("chat-account:all",
                            int(cfg.get("CHAT_ACCOUNT_GLOBAL_LIMIT", 2000)), hour)) is not None:
        return limited
    from kernel.xmpp import XmppConnectError

    citizen_domain = f"citizens.{cfg['DOMAIN']}"
    created: tuple[str, str] | None = None
    for attempt in range(2):  # a clash of 62-bit names is practically impossible; retry once
        jid, password = new_credentials(citizen_domain)
        try:
            register(jid, password)
        except XmppConnectError as exc:
            log.warning("citizen account registration failed (attempt %d): %s", attempt + 1, exc)
            continue
        except Exception:
            log.exception("citizen account registration crashed")
            break
        created = (jid, password)
        break
    if created is None:
        return _error(503, "unavailable", "สร้างบัญชีไม่สำเร็จ โปรดลองใหม่ภายหลัง",
                      "Could not create an account now; try again later")
    jid, password = created
    log.info("citizen account created from the web: %s", jid)
    response = jsonify(jid=jid, password=password, domain=citizen_domain)
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


# -- photo upload relay -------------------------------------------------------------------------


def upload_origin() -> tuple[str, str] | None:
    """(scheme, host:port) of Prosody's HTTP server, taken from the WebSocket URL."""
    url = current_app.config.get("WEBSOCKET_URL") or ""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme)
    if not scheme or not parts.netloc:
        return None
    return scheme, parts.netloc


_SAFE_HEADER = re.compile(r"^[\x20-\x7e]{1,2048}$")


def _slot_target(put_url: str) -> tuple[str, str, str] | None:
    """(scheme, netloc, path?query) of an acceptable slot URL, else None."""
    origin = upload_origin()
    if origin is None or not _SAFE_HEADER.match(put_url):
        return None
    parts = urlsplit(put_url)
    if (parts.scheme, parts.netloc) != origin or parts.fragment or "@" in parts.netloc:
        return None
    if not parts.path.startswith("/file_share/") or ".." in parts.path.split("/"):
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.netloc, target


def _anonymous_slot(authorization: str | None) -> bool:
    """Whether the slot's token (Prosody's JWT, ``Bearer h.p.s``) was issued to an anonymous
    session: its ``sub`` is on ``anon.D``. Read without the signature: a forged claim only
    moves the request into the (shared, smaller) anonymous bucket, and Prosody refuses the
    PUT of a forged token."""
    token = (authorization or "").removeprefix("Bearer ").strip()
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 4096:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return False
    sub = claims.get("sub") if isinstance(claims, dict) else None
    anon = f"anon.{current_app.config['DOMAIN']}"
    return isinstance(sub, str) and sub.partition("@")[2].partition("/")[0] == anon


_UPLOAD_TOO_OFTEN = ("อัปโหลดบ่อยเกินไป โปรดลองใหม่ภายหลัง", "Too many uploads; try again later")
_UPLOAD_QUOTA = ("คุณอัปโหลดไฟล์ครบโควตาของวันนี้แล้ว โปรดลองใหม่พรุ่งนี้ หรือส่งเป็นข้อความแทน",
                 "You have reached today's upload quota; try again tomorrow or send text")
_UPLOAD_FULL = ("พื้นที่รับไฟล์ของระบบเต็มแล้วสำหรับวันนี้ โปรดส่งเป็นข้อความ หรือลองใหม่พรุ่งนี้",
                "The server takes no more files today; send text, or try again tomorrow")


def _upload_quota(size: int) -> Response | None:
    """None when this upload of `size` bytes is within every quota, else the refusal.

    A citizen's upload is counted per client address (uploads per hour, bytes per day); an
    anonymous session's in one bucket for all of them (never under an address; Prosody
    counts their bytes under the one placeholder). Then every upload counts against the
    server's hourly and daily totals, so many addresses cannot fill the disk either."""
    from web.db import limiter

    cfg = current_app.config
    kib = max(1, -(-size // 1024))
    hour, day = timedelta(hours=1), timedelta(days=1)
    if _anonymous_slot(request.headers.get("X-Upload-Authorization")):
        checks = [("chat-upload:anonymous", int(cfg.get("CHAT_ANON_UPLOAD_LIMIT", 600)), hour, 1,
                   "rate_limited", _UPLOAD_TOO_OFTEN, 429)]
    else:
        address = _client_address()
        checks = [
            (f"chat-upload:ip:{address}", int(cfg.get("CHAT_UPLOAD_LIMIT", 120)), hour, 1,
             "rate_limited", _UPLOAD_TOO_OFTEN, 429),
            (f"chat-upload-kib:ip:{address}",
             max(1, int(cfg.get("CHAT_UPLOAD_ADDRESS_BYTES", 100 * 1024 * 1024)) // 1024), day, kib,
             "upload_quota", _UPLOAD_QUOTA, 429),
        ]
    checks += [
        ("chat-upload:all", int(cfg.get("CHAT_UPLOAD_GLOBAL_LIMIT", 2000)), hour, 1,
         "upload_quota_global", _UPLOAD_FULL, 503),
        ("chat-upload-kib:all",
         max(1, int(cfg.get("CHAT_UPLOAD_GLOBAL_BYTES", 2 * 1024**3)) // 1024), day, kib,
         "upload_quota_global", _UPLOAD_FULL, 503),
    ]
    for bucket, limit, window, cost, code, (th, en), status in checks:
        try:
            verdict = limiter().hit(bucket, limit, window, cost=cost)
        except RuntimeError:
            return _error(503, "unavailable", "ระบบยังไม่พร้อมใช้งาน", "The service is not configured")
        if not verdict.allowed:
            response = _error(status, code, th, en, retry_after=verdict.retry_after_s)
            response.headers["Retry-After"] = str(verdict.retry_after_s)
            return response
    return None


@bp.put("/chat/api/upload")
def upload() -> Response:
    """Forward the body to the XEP-0363 slot in ``X-Upload-Url`` with the slot's headers."""
    cfg = current_app.config
    put_url = request.headers.get("X-Upload-Url", "")
    target = _slot_target(put_url)
    if target is None:
        return _error(400, "bad_slot", "ที่อยู่อัปโหลดไม่ถูกต้อง", "Not an upload slot of this server")
    size = request.content_length
    limit = int(cfg.get("CHAT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
    if not size:
        if request.headers.get("Content-Length", "").strip() == "0":
            return _error(400, "empty", "ไฟล์ว่าง", "Empty file")
        return _error(411, "length_required", "ต้องระบุขนาดไฟล์", "Content-Length required")
    if size > limit:
        return _error(413, "too_large", "ไฟล์ใหญ่เกินไป", "File too large", max_bytes=limit)
    if refused := _upload_quota(size):
        return refused
    headers = {"Content-Length": str(size),
               "Content-Type": request.headers.get("Content-Type", "application/octet-stream")}
    for name in ("Authorization", "Cookie", "Expires"):
        value = request.headers.get(f"X-Upload-{name}")
        if value is not None:
            if not _SAFE_HEADER.match(value):
                return _error(400, "bad_header", "ข้อมูลไม่ถูกต้อง", f"Bad {name} header")
            headers[name] = value
    if not _SAFE_HEADER.match(headers["Content-Type"]):
        return _error(400, "bad_header", "ข้อมูลไม่ถูกต้อง", "Bad Content-Type")
    body = request.stream.read(size + 1)
    if len(body) != size:
        return _error(400, "bad_length", "ไฟล์ไม่ครบ", "Body does not match Content-Length")
    body = blank_metadata(body)  # a photo's GPS position and phone serial never stored
    scheme, netloc, path = target
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    conn = cls(netloc, timeout=UPLOAD_TIMEOUT_S)
    try:
        conn.request("PUT", path, body=body, headers=headers)
        answer = conn.getresponse()
        status = answer.status
        answer.read(65536)
    except OSError as exc:
        log.warning("upload relay to %s failed: %s", netloc, exc)
        return _error(502, "upload_failed", "อัปโหลดไม่สำเร็จ", "Upload service unreachable")
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    if status not in (200, 201):
        return _error(502, "upload_refused", "อัปโหลดไม่สำเร็จ", "Upload refused",
                      upstream_status=status)
    response = jsonify(ok=True)
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


# -- security headers: the exact WebSocket origin ---------------------------------------------


@bp.after_app_request
def _narrow_connect_src(response: Response) -> Response:
    """``web.SECURITY_HEADERS`` allows any ``ws:``/``wss:`` host; narrow that to the
    configured WebSocket origin when there is one."""
    csp = response.headers.get("Content-Security-Policy")
    url = current_app.config.get("WEBSOCKET_URL") or ""
    parts = urlsplit(url)
    if (
        csp
        and " ws: wss:" in csp
        and parts.scheme in ("ws", "wss")
        and re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", parts.netloc)
    ):
        origin = f"{parts.scheme}://{parts.netloc}"
        response.headers["Content-Security-Policy"] = csp.replace(" ws: wss:", f" {origin}")
    return response
