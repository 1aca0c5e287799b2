"""Web: the staff dashboard at ``/dashboard`` (agents and admins).

Sign in with the XMPP account's own password (checked by the XMPP server, see
``web.dashboard_auth``); a server-side session (``casestore.web_sessions``) with a CSRF
token for every POST; cases of the viewer's centres (``admin@D``: every centre) with
filters, search and paging; a case page with transcript and audit log; statistics drawn as
inline SVG; a CSV export of the filtered list. Reads go through ``casestore.queries`` and
``CaseStore``; the dashboard changes no case. See ``docs/dashboard.md``.

Settings (``create_app`` config; defaults in brackets): ``DASHBOARD_LOGIN_TIMEOUT`` [10 s],
``DASHBOARD_LOGIN_LIMIT_IP`` [20] and ``DASHBOARD_LOGIN_LIMIT_ACCOUNT`` [5] attempts per
``DASHBOARD_LOGIN_WINDOW`` [900 s], ``DASHBOARD_IDLE_MINUTES`` [30],
``DASHBOARD_SESSION_HOURS`` [12], ``DASHBOARD_SECURE_COOKIE`` [None: Secure when the request
came over https], ``CA_FILE`` [``DATA_DIR/certs/ca.crt`` when it exists, else the system's].
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.exceptions import BadRequest

from casestore.centres import all_centres, centre_by_iso, centre_by_slug, load_centre_sets
from casestore.lifecycle import Status
from casestore.queries import RESPONSE_BUCKETS, CaseFilter, CaseQueries
from casestore.refs import BANGKOK, parse_ref, utcnow
from casestore.vocab import TOPICS, TYPES
from casestore.web_sessions import IDLE, LIFETIME, SessionView, WebSessions
from web import db
from web.dashboard_auth import (
    Directory,
    LoginRefused,
    LoginUnavailable,
    Staff,
    check_password,
    parse_login,
)
from web.dashboard_charts import Bar, bar_chart, day_chart
from web.dashboard_format import (
    FILTERS,
    RESPONSE_TH,
    SLA_TH,
    TOPIC_TH,
    TYPE_TH,
    be_stamp,
    centre_th,
    province_th,
    status_th,
    topic_th,
    type_th,
)

log = logging.getLogger(__name__)

bp = Blueprint("dashboard", __name__)

COOKIE = "dd_session"
LOGIN_COOKIE = "dd_login"  # the sign-in form's CSRF token (double submit, before a session)
PATH = "/dashboard"
PER_PAGE = 50
PER_PAGE_CHOICES = (25, 50, 100, 200)
MAX_PAGE = 100_000
MAX_CHART_DAYS = 366
#: Dates a filter may name (Gregorian, after a Buddhist-era year is converted).
MIN_YEAR, MAX_YEAR = 1900, 9000
DEFAULT_CHART_DAYS = 30
NO_PROVINCE = "none"
OPEN = "open"  # status filter: every status but resolved, closed and merged

LOGIN_MESSAGES: dict[str, str] = {
    "failed": "ชื่อบัญชีหรือรหัสผ่านไม่ถูกต้อง · The account or password is not correct.",
    "citizen": (
        "บัญชีประชาชน (citizens.{domain}) ใช้เข้าระบบเจ้าหน้าที่ไม่ได้ "
        "ติดตามเรื่องของท่านได้ที่หน้า «ติดตามเรื่อง» · "
        "Citizen accounts cannot sign in to the staff dashboard."
    ),
    "anon": (
        "บัญชีนิรนาม (anon.{domain}) ใช้เข้าระบบเจ้าหน้าที่ไม่ได้ · "
        "Anonymous accounts cannot sign in to the staff dashboard."
    ),
    "domain": ("ใช้บัญชีเจ้าหน้าที่ของ {domain} เท่านั้น · Only staff accounts of {domain} can sign in."),
    "not_staff": ("บัญชีนี้ไม่มีสิทธิ์เข้าระบบเจ้าหน้าที่ · This account may not use the staff dashboard."),
    "disabled": "บัญชีนี้ถูกระงับการใช้งาน · This account is disabled.",
    "limited": (
        "พยายามเข้าระบบหลายครั้งเกินไป โปรดลองใหม่ในอีก {minutes} นาที · "
        "Too many attempts; try again in {minutes} minutes."
    ),
    "unavailable": (
        "ตรวจสอบรหัสผ่านกับเซิร์ฟเวอร์ XMPP ไม่ได้ในขณะนี้ โปรดลองใหม่ · "
        "The XMPP server could not check the password just now; please try again."
    ),
    "expired": "กรุณาเข้าสู่ระบบ · Please sign in.",
}
REFUSAL_STATUS = {
    "failed": 401,
    "citizen": 403,
    "anon": 403,
    "domain": 403,
    "not_staff": 403,
    "disabled": 403,
    "limited": 429,
    "unavailable": 503,
}

#: CSV export columns (documented in docs/dashboard.md); never a PIN or the citizen's address.
CSV_COLUMNS: tuple[str, ...] = (
    "ref",
    "created_be",
    "updated_be",
    "created_utc",
    "centre",
    "centre_th",
    "province",
    "province_th",
    "district",
    "status",
    "status_th",
    "type",
    "type_th",
    "topic",
    "topic_th",
    "urgent",
    "urgency",
    "summary",
    "assigned_to",
    "channel",
    "first_agent_reply_be",
    "response_minutes",
)


@bp.record_once
def _register_filters(state: Any) -> None:
    state.app.jinja_env.filters.update(
        {f"dd_{name}": fn for name, fn in FILTERS.items()}  # dd_ prefix: no clashes
    )


# -- per-app services ---------------------------------------------------------------------


def _ext(name: str, make: Any) -> Any:
    ext = current_app.extensions
    if name not in ext:
        ext[name] = make()
    return ext[name]


def sessions() -> WebSessions:
    cfg = current_app.config
    idle = timedelta(minutes=float(cfg.get("DASHBOARD_IDLE_MINUTES") or IDLE.total_seconds() / 60))
    life = timedelta(
        hours=float(cfg.get("DASHBOARD_SESSION_HOURS") or LIFETIME.total_seconds() / 3600)
    )
    return _ext("dashboard_sessions", lambda: WebSessions(db.store(), idle=idle, lifetime=life))


def queries() -> CaseQueries:
    return _ext("dashboard_queries", lambda: CaseQueries(db.store()))


def directory() -> Directory:
    cfg = current_app.config
    return _ext("dashboard_directory", lambda: Directory(cfg["DOMAIN"], cfg.get("DATA_DIR")))


def _ca_file() -> Path | None:
    cfg = current_app.config
    if cfg.get("CA_FILE"):
        return Path(cfg["CA_FILE"])
    if cfg.get("DATA_DIR"):
        ca = Path(cfg["DATA_DIR"]) / "certs" / "ca.crt"
        if ca.exists():
            return ca
    return None


def _secure_cookie() -> bool:
    forced = current_app.config.get("DASHBOARD_SECURE_COOKIE")
    return request.is_secure if forced is None else bool(forced)


# -- sessions and CSRF --------------------------------------------------------------------


@bp.before_request
def _load_session() -> Response | None:
    g.staff, g.web_session = None, None
    token = request.cookies.get(COOKIE)
    view = sessions().get(token) if token else None
    if view is not None:
        try:
            g.staff = directory().staff(view.jid)
            g.web_session = view
        except LoginRefused:  # disabled or removed since signing in
            sessions().end(token)
    if request.method == "POST":
        if request.endpoint == "dashboard.login":
            offered, expected = request.form.get("csrf", ""), request.cookies.get(LOGIN_COOKIE, "")
            if not expected or not secrets.compare_digest(
                offered.encode("utf-8"), expected.encode("utf-8")
            ):
                abort(403)
        elif g.web_session is None:
            return _to_login()
        elif not g.web_session.csrf_ok(request.form.get("csrf")):
            abort(403)
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie"
    return response


@bp.context_processor
def _template_globals() -> dict[str, object]:
    view: SessionView | None = g.get("web_session")
    return {
        "staff": g.get("staff"),
        "csrf_token": view.csrf if view else "",
        "dashboard_url": _url,
    }


def _to_login() -> Response:
    target = request.full_path if request.method == "GET" else PATH
    return redirect(url_for("dashboard.login", next=target.rstrip("?")))


def _safe_next(value: str | None) -> str:
    """A local dashboard path to return to after signing in (never another site, never a
    control character or space: it goes into a Location header)."""
    if (
        value
        and value.isascii()
        and value.isprintable()
        and " " not in value
        and value.startswith(PATH)
        and "//" not in value
        and "\\" not in value
        and not value.startswith(f"{PATH}/log")
    ):
        return value
    return PATH


def _staff() -> Staff:
    staff: Staff | None = g.get("staff")
    if staff is None:
        abort(_to_login())
    return staff


# -- sign in and out ----------------------------------------------------------------------


def _login_page(message: str | None = None, status: int = 200, username: str = "") -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    html = render_template(
        "dashboard_login.html",
        message=message,
        login_csrf=token,
        username=username,
        next=_safe_next(request.values.get("next")),
    )
    response = Response(html, status=status, mimetype="text/html")
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path=f"{PATH}/login",
        httponly=True,
        samesite="Strict",
        secure=_secure_cookie(),
    )
    return response


def _refusal(reason: str, username: str, **fmt: object) -> Response:
    text = LOGIN_MESSAGES[reason].format(domain=current_app.config["DOMAIN"], **fmt)
    response = _login_page(text, REFUSAL_STATUS[reason], username)
    if reason == "limited":
        response.headers["Retry-After"] = str(fmt.get("retry_after", 60))
    return response


@bp.route(f"{PATH}/login", methods=["GET", "POST"])
def login() -> Response:
    if request.method == "GET":
        if g.staff is not None:
            return redirect(_safe_next(request.args.get("next")))
        return _login_page()
    cfg = current_app.config
    username = request.form.get("username", "")[:300]
    password = request.form.get("password", "")
    window = timedelta(seconds=int(cfg.get("DASHBOARD_LOGIN_WINDOW") or 900))
    limiter = db.limiter()
    by_ip = limiter.hit(
        f"dash-login:ip:{request.remote_addr or '-'}",
        int(cfg.get("DASHBOARD_LOGIN_LIMIT_IP") or 20),
        window,
    )
    try:
        jid = parse_login(username, cfg["DOMAIN"])
    except LoginRefused as refused:
        reason = refused.reason if refused.reason != "invalid" else "failed"
        if not by_ip.allowed:
            reason = "limited"
        return _refusal(
            reason, username, minutes=-(-by_ip.retry_after_s // 60), retry_after=by_ip.retry_after_s
        )
    if not by_ip.allowed:
        # refused by the address: the account is not counted, so one address that has run
        # out of attempts cannot go on to lock every staff account out
        log.warning("dashboard: sign-in rate limit for %s from %s", jid, request.remote_addr)
        wait = by_ip.retry_after_s
        return _refusal("limited", username, minutes=-(-wait // 60), retry_after=wait)
    account_bucket = f"dash-login:acct:{jid}"
    by_account = limiter.hit(
        account_bucket, int(cfg.get("DASHBOARD_LOGIN_LIMIT_ACCOUNT") or 5), window
    )
    if not by_account.allowed:
        wait = by_account.retry_after_s
        log.warning("dashboard: sign-in rate limit for %s from %s", jid, request.remote_addr)
        return _refusal("limited", username, minutes=-(-wait // 60), retry_after=wait)
    try:
        ok = check_password(
            jid,
            password,
            cfg["C2S_HOST"],
            int(cfg["C2S_PORT"]),
            _ca_file(),
            float(cfg.get("DASHBOARD_LOGIN_TIMEOUT") or 10),
        )
    except LoginUnavailable as exc:
        log.error("dashboard: cannot check a password with the XMPP server: %s", exc)
        return _refusal("unavailable", username)
    if not ok:
        log.info("dashboard: failed sign-in for %s from %s", jid, request.remote_addr)
        return _refusal("failed", username)
    try:
        staff = directory().staff(jid)
    except LoginRefused as refused:
        log.info("dashboard: %s refused (%s)", jid, refused.reason)
        return _refusal(refused.reason, username)
    limiter.reset(account_bucket)
    old = request.cookies.get(COOKIE)
    if old:
        sessions().end(old)
    sessions().purge()  # expired sessions of everyone: a cheap DELETE, now and then
    view = sessions().create(staff.jid)
    log.info("dashboard: %s signed in from %s", staff.jid, request.remote_addr)
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie(
        COOKIE,
        view.token or "",
        path=PATH,
        httponly=True,
        samesite="Strict",
        secure=_secure_cookie(),
    )
    response.delete_cookie(LOGIN_COOKIE, path=f"{PATH}/login")
    return response


@bp.post(f"{PATH}/logout")
def logout() -> Response:
    sessions().end(request.cookies.get(COOKIE))
    response = redirect(url_for("dashboard.login"))
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="Strict")
    return response


# -- filters ------------------------------------------------------------------------------


def _bad(message: str) -> BadRequest:
    return BadRequest(message)


def _day_arg(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise _bad(f"{name}: not a date (YYYY-MM-DD)") from None
    if day.year >= 2400:  # typed in the Buddhist era
        day = day.replace(year=day.year - 543)
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # beyond: date arithmetic overflows
        raise _bad(f"{name}: a year from {MIN_YEAR} to {MAX_YEAR} (or in the Buddhist era)")
    return day


def _choice(args: Mapping[str, str], name: str, allowed: set[str] | frozenset[str]) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise _bad(f"{name}: unknown value")
    return value


def parse_filter(args: Mapping[str, str], staff: Staff) -> CaseFilter:
    """The case filter of a request's query string, within the viewer's scope.

    Unknown values give 400; a centre outside the viewer's scope gives 403.
    """
    centre = (args.get("centre") or "").strip().lower() or None
    if centre is not None:
        if centre_by_slug(centre) is None:
            raise _bad("centre: unknown centre")
        if not staff.can_see(centre):
            abort(403)
    province_arg = (args.get("province") or "").strip().upper()
    province: str | None = None
    if province_arg == NO_PROVINCE.upper():
        province = ""
    elif province_arg:
        found = centre_by_iso(province_arg, ("provinces", "bangkok"))
        if found is None or found.iso is None:
            raise _bad("province: unknown province")
        province = found.iso
    open_only = (args.get("status") or "").strip() == OPEN
    urgent_arg = (args.get("urgent") or "").strip()
    if urgent_arg not in ("", "1", "0", "hazard"):
        raise _bad("urgent: 1, 0 or hazard")
    try:
        return CaseFilter(
            centres=staff.centres,
            centre=centre,
            status=None if open_only else _choice(args, "status", {s.value for s in Status}),
            open_only=open_only,
            topic=_choice(args, "topic", TOPICS),
            type=_choice(args, "type", TYPES),
            urgent=None if urgent_arg in ("", "hazard") else urgent_arg == "1",
            urgency="hazard" if urgent_arg == "hazard" else None,
            province=province,
            text=(args.get("q") or "").strip()[:100] or None,
            since=_day_arg(args, "since"),
            until=_day_arg(args, "until"),
        )
    except ValueError as exc:
        raise _bad(str(exc)) from None


def _int_arg(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = (args.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _bad(f"{name}: not a number") from None
    if not low <= number <= high:
        raise _bad(f"{name}: {low}..{high}")
    return number


FILTER_KEYS = ("q", "centre", "status", "topic", "type", "urgent", "province", "since", "until")


def _current_args() -> dict[str, str]:
    return {k: v for k in FILTER_KEYS if (v := (request.args.get(k) or "").strip())}


def _url(endpoint: str, **changes: object) -> str:
    """This page's filters with ``changes`` (None removes a key), as a URL of ``endpoint``."""
    args: dict[str, object] = dict(_current_args())
    if "per_page" in request.args and endpoint == "dashboard.cases":
        args["per_page"] = request.args["per_page"]
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(endpoint, **args)


def _centre_options(staff: Staff) -> list[tuple[str, str]]:
    """(slug, Thai name) of the centres the viewer may pick, in the data file's order."""
    if staff.centres is None:
        seen = {slug for slug, _ in queries().per_centre(CaseFilter())}
        base = {c.slug for c in load_centre_sets(("provinces", "bangkok", "national"))}
        wanted = base | seen
        return [(c.slug, c.name_th) for c in all_centres() if c.slug in wanted]
    return [(c.slug, c.name_th) for c in all_centres() if c.slug in staff.centres]


def _province_options() -> list[tuple[str, str]]:
    rows = [
        (c.iso, c.province_th)
        for c in load_centre_sets(("provinces", "bangkok"))
        if c.iso is not None
    ]
    return sorted(rows, key=lambda r: r[1])


def _filter_context(staff: Staff) -> dict[str, object]:
    return {
        "args": _current_args(),
        "centre_options": _centre_options(staff),
        "province_options": _province_options() if staff.is_admin else [],
        "status_options": [(s.value, status_th(s)) for s in Status],
        "topic_options": sorted(TOPIC_TH.items(), key=lambda kv: kv[0] == "other"),
        "type_options": list(TYPE_TH.items()),
    }


# -- pages --------------------------------------------------------------------------------


@bp.get(PATH)
def cases() -> Response | str:
    staff = _staff()
    f = parse_filter(request.args, staff)
    per_page = _int_arg(request.args, "per_page", PER_PAGE, 1, max(PER_PAGE_CHOICES))
    page_no = _int_arg(request.args, "page", 1, 1, MAX_PAGE)
    page = queries().page(f, page_no, per_page)
    return render_template(
        "dashboard_cases.html",
        page=page,
        totals=queries().totals(f),
        **_filter_context(staff),
    )


@bp.get(f"{PATH}/cases/<ref>")
def case_page(ref: str) -> str:
    staff = _staff()
    parsed = parse_ref(ref)
    if parsed is None:
        abort(404)
    store = db.store()
    case = store.get(parsed)
    if case is None or not staff.can_see(case.centre):
        abort(404)  # another centre's case: not found, so its existence is not told
    return render_template(
        "dashboard_case.html",
        case=case,
        transcript=store.transcript(case.ref),
        events=store.events(case.ref),
        deliveries=store.deliveries(case.ref),
        rating=store.rating(case.ref),
        merged_into=store.merged_into(case.ref),
    )


def _today() -> date:
    return utcnow().astimezone(BANGKOK).date()


@bp.get(f"{PATH}/stats")
def stats() -> str:
    staff = _staff()
    f = parse_filter(request.args, staff)
    until = f.until or _today()
    since = f.since or (until - timedelta(days=DEFAULT_CHART_DAYS - 1))
    if since > until:
        raise _bad("since is after until")
    if (until - since).days >= MAX_CHART_DAYS:
        raise _bad(f"at most {MAX_CHART_DAYS} days")
    f = replace(f, since=since, until=until)
    q = queries()
    days = q.per_day(f, since, until)
    topics = q.per_topic(f)
    provinces = q.per_province(f)
    sla = q.sla_breaches(f)
    response = q.response_times(f)
    statuses = q.per_status(f)
    charts = {
        "days": day_chart("chart-days", "จำนวนเรื่องต่อวัน", days),
        "topics": bar_chart(
            "chart-topics", "จำนวนเรื่องตามหมวด", [Bar(k, topic_th(k), n) for k, n in topics]
        ),
        "provinces": bar_chart(
            "chart-provinces",
            "จำนวนเรื่องตามจังหวัด",
            [Bar(k or NO_PROVINCE, province_th(k), n) for k, n in provinces],
        ),
        "statuses": bar_chart(
            "chart-statuses", "จำนวนเรื่องตามสถานะ", [Bar(k, status_th(k), n) for k, n in statuses]
        ),
        "sla": bar_chart(
            "chart-sla", "เรื่องที่เกินกำหนด (SLA)", [Bar(k, SLA_TH[k], n) for k, n in sla]
        ),
        "response": bar_chart(
            "chart-response",
            "ระยะเวลาตอบกลับครั้งแรก",
            [Bar(k, RESPONSE_TH[k], n) for k, n in response.buckets]
            + [Bar("none", "ยังไม่ตอบ", response.unanswered)],
        ),
    }
    return render_template(
        "dashboard_stats.html",
        since=since,
        until=until,
        days=days,
        topics=topics,
        provinces=provinces,
        statuses=statuses,
        sla=sla,
        response=response,
        response_buckets=[k for k, _ in RESPONSE_BUCKETS],
        totals=q.totals(f),
        charts=charts,
        **_filter_context(staff),
    )


def _csv_safe(value: str) -> str:
    """Text a spreadsheet will not run as a formula (=, +, -, @, tab, CR get a ' first)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(rows: Iterator[Any]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()  # the BOM: Excel then reads the file as UTF-8 (Thai)
    for n, row in enumerate(rows, 1):
        c = row.case
        secs = row.response_s
        writer.writerow(
            [
                c.ref,
                be_stamp(c.created_at),
                be_stamp(c.updated_at),
                c.created_at.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                c.centre,
                centre_th(c.centre),
                c.province or "",
                province_th(c.province) if c.province else "",
                _csv_safe(c.district or ""),
                c.status.value,
                status_th(c.status),
                c.type,
                type_th(c.type),
                c.topic,
                topic_th(c.topic),
                "1" if c.urgent else "0",
                c.urgency,
                _csv_safe(c.summary.replace("\r", " ").replace("\n", " ")),
                c.assigned_to or "",
                c.channel,
                be_stamp(row.first_agent_at),
                "" if secs is None else f"{secs / 60:.1f}",
            ]
        )
        if n % 200 == 0:
            yield flush()
    yield flush()


@bp.get(f"{PATH}/export.csv")
def export_csv() -> Response:
    staff = _staff()
    f = parse_filter(request.args, staff)
    rows = queries().export(f)
    stamp = datetime.now(BANGKOK).strftime("%Y%m%d-%H%M")
    log.info("dashboard: %s exported cases (%s)", staff.jid, urlencode(_current_args()))
    return Response(
        stream_with_context(_csv_rows(rows)),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="damrongdham-cases-{stamp}.csv"',
        },
    )
