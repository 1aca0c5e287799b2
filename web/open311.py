"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under ``/open311/v2/``.

Public reads (no key): the services (one per case topic), the service requests (cases) with
the spec's filters, one request. Agencies holding an API key (``damrongdham apikey add``)
may open cases: ``POST requests.json``. JSON and XML (``.xml``); errors are the spec's
array ``[{"code": 400, "description": "…"}]`` with the same HTTP status.

What a public answer never holds: the citizen's address, name, phone or ID number, the
text of the complaint or of any message, agents' addresses, the PIN. A request's
``description`` is its kind and topic, ``address`` the district and province, and
``lat``/``long`` the province's seat, not where anyone is: the record is written by
:func:`casestore.open311_format.service_request`, which the outbox uses too. See
``docs/open311.md``.
"""

from __future__ import annotations

import json
import math
import re
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bots.triage import clean
from casestore import Status, parse_ref, places
from casestore.api_keys import verify_key
from casestore.centres import Centre, centre_by_iso, centre_by_slug, centre_slugs
from casestore.lifecycle import DONE
from casestore.open311_format import SERVICES, Service, service_request
from casestore.open311_format import TYPE_LABELS as TYPE_LABELS  # the API's words, by name
from casestore.public_reads import (
    MAX_IDS,
    PublicCase,
    find_cases,
    public_case,
    rate_hits,
)
from casestore.refs import BANGKOK, as_utc, utcnow
from casestore.vocab import TYPES
from web import db

bp = Blueprint("open311", __name__, url_prefix="/open311")

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-21T00:00:00+07:00"  # when these endpoints last changed
MAX_BODY = 64 * 1024  # a POST: 4,000 characters of description and the rest, with room
MAX_DESCRIPTION = 4000  # the spec's limit
MAX_FIELD = 200
MAX_ADDRESS = 1000
DEFAULT_SPAN = timedelta(days=90)  # the spec's default query window …
#: Years a start_date/end_date may name: far enough for any real query, far from overflow.
MIN_YEAR, MAX_YEAR = 1900, 9000
DEFAULT_LIMIT = 1000  # … and row limit
DOMAIN_OF_AGENCIES = "open311.invalid"  # cases agencies open: <agency>@open311.invalid
# (attempts, seconds): failed api_keys per client address; cases per key
BAD_KEY_LIMIT = (10, 15 * 60)
KEY_LIMIT = (600, 60 * 60)


def _service_json(s: Service) -> dict[str, Any]:
    return {
        "service_code": s.code,
        "service_name": s.name,
        "description": f"{s.about_th} · {s.about_en}",
        "metadata": False,
        "type": "realtime",
        "keywords": s.keywords,
        "group": s.group,
    }


# -- answers: JSON or XML, errors as the spec's array -----------------------------------------


def _xml_value(parent: ET.Element, key: str, value: object, item: str = "item") -> None:
    el = ET.SubElement(parent, key)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, list):
        for v in value:
            _xml_value(el, item, v)
    elif value is not None:
        el.text = str(value)


def _xml(data: object, root: str, item: str) -> bytes:
    top = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_value(top, item, entry)
    elif isinstance(data, dict):
        for k, v in data.items():
            _xml_value(top, k, v)
    return ET.tostring(top, encoding="UTF-8", xml_declaration=True)


def _answer(
    data: object, fmt: str, status: int = 200, *, root: str = "", item: str = ""
) -> Response:
    if fmt == "xml":
        return Response(_xml(data, root, item), status, content_type="text/xml; charset=utf-8")
    response = jsonify(data)
    response.status_code = status
    response.content_type = "application/json; charset=utf-8"
    return response


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt")
    return fmt if fmt in ("json", "xml") else "json"


def error(code: int, description: str, headers: dict[str, str] | None = None) -> Response:
    """The spec's error array with HTTP status ``code``."""
    response = _answer([{"code": code, "description": description}], _fmt(), code,
                       root="errors", item="error")
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


class Refused(Exception):
    """Stop and answer with an Open311 error."""

    def __init__(self, code: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.code, self.description, self.headers = code, description, headers or {}


@bp.errorhandler(Refused)
def _refused(exc: Refused) -> Response:
    return error(exc.code, exc.description, exc.headers)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: HTTPException) -> Response:
    return error(413, f"request body too large: at most {MAX_BODY // 1024} KB "
                      f"(description at most {MAX_DESCRIPTION} characters)")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return error(exc.code or 500, exc.description or exc.name)


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_BODY
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise RequestEntityTooLarge()


@bp.after_request
def _public_headers(response: Response) -> Response:
    if request.method in ("GET", "HEAD") and response.status_code < 500:
        response.headers["Access-Control-Allow-Origin"] = "*"  # public data, no cookies
        response.headers.setdefault("Cache-Control", "public, max-age=60")
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def _client() -> str:
    return request.remote_addr or "unknown"


def _limit(name: str, default: tuple[int, int]) -> tuple[int, timedelta]:
    hits, seconds = current_app.config.get(name, default)
    return int(hits), timedelta(seconds=int(seconds))


def _too_many(retry_after: int, what: str) -> Refused:
    minutes = max(1, math.ceil(retry_after / 60))
    return Refused(429, f"{what}; try again in {minutes} minute(s)",
                   {"Retry-After": str(retry_after)})


def _check_jurisdiction(value: object) -> None:
    if value in (None, ""):
        return
    domain = current_app.config["DOMAIN"]
    if str(value).strip().lower() != domain:
        raise Refused(400, f"jurisdiction_id must be {domain} (or left out)")


# -- discovery and services -------------------------------------------------------------------


@bp.get("/discovery.<any(json, xml):fmt>")
def discovery(fmt: str) -> Response:
    """The Open311 service discovery document."""
    data = {
        "changeset": CHANGESET,
        "contact": "ศูนย์ดำรงธรรม สายด่วน 1567 · Damrongdham Centres, hotline 1567",
        "key_service": "API keys for POST: ask the administrator of this deployment "
        "(damrongdham apikey add <agency>)",
        "endpoints": [
            {
                "specification": SPEC,
                "url": request.host_url + "open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _answer(data, fmt, root="discovery", item="endpoint")


@bp.get("/v2/services.<any(json, xml):fmt>")
def services(fmt: str) -> Response:
    """Every service: one per case topic."""
    _check_jurisdiction(request.args.get("jurisdiction_id"))
    data = [_service_json(s) for s in SERVICES.values()]
    response = _answer(data, fmt, root="services", item="service")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/v2/services/<code>.<any(json, xml):fmt>")
def service_definition(code: str, fmt: str) -> Response:
    """A service's definition: no extra attributes (``metadata`` is false for all)."""
    _check_jurisdiction(request.args.get("jurisdiction_id"))
    if code not in SERVICES:
        raise Refused(404, f"service_code {code!r} not found: see services.{fmt}")
    data = {"service_code": code, "attributes": []}
    return _answer(data, fmt, root="service_definition", item="attribute")


# -- reading requests ------------------------------------------------------------------------

_W3C = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+\- ]\d{2}:\d{2}))?",
    re.ASCII,
)


def parse_w3c(name: str, text: str, *, end_of_day: bool = False) -> datetime:
    """A W3C datetime (``2026-11-21T08:00:00+07:00``, ``…Z``) or a date (``2026-11-21``, a
    day in Thai time; with ``end_of_day`` the moment it ends). A ``+`` that arrived as a
    space (unencoded in a query string) is read as ``+``. Refused(400) otherwise."""
    m = _W3C.fullmatch(text.strip())
    if not m:
        raise Refused(400, f"{name} {text!r} is not a W3C datetime such as "
                           "2026-11-21T08:00:00+07:00 or 2026-11-21T01:00:00Z")
    y, mo, d, hh, mm, ss, tz = m.groups()
    if not MIN_YEAR <= int(y) <= MAX_YEAR:  # beyond: time zones and spans overflow
        raise Refused(400, f"{name} {text!r}: the year must be from {MIN_YEAR} to {MAX_YEAR}")
    try:
        if hh is None:
            at = datetime(int(y), int(mo), int(d), tzinfo=BANGKOK)
            return at + timedelta(days=1) if end_of_day else at
        at = datetime.fromisoformat(
            f"{y}-{mo}-{d}T{hh}:{mm}:{ss or '00'}"
            + ("+00:00" if tz == "Z" else tz.replace(" ", "+"))
        )
    except ValueError:
        raise Refused(400, f"{name} {text!r} is not a real date and time") from None
    return as_utc(at)


def public_request(c: PublicCase) -> dict[str, Any]:
    """A case as an Open311 service request: public fields only."""
    return service_request(c)


def _list_arg(name: str) -> list[str] | None:
    values = [v.strip() for raw in request.args.getlist(name) for v in raw.split(",")]
    values = [v for v in values if v]
    return values or None


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise Refused(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _requests(refs: list[str] | None) -> list[PublicCase]:
    store = db.store()
    if refs is not None:
        if len(refs) > MAX_IDS:
            raise Refused(400, f"at most {MAX_IDS} service_request_id values at once")
        parsed = []
        for raw in refs:
            ref = parse_ref(raw)
            if ref is None:
                raise Refused(400, f"service_request_id {raw!r} is not a case reference "
                                   "such as TH57-2569-000001")
            parsed.append(str(ref))
        return find_cases(store, refs=parsed, limit=MAX_IDS)  # overrides the other filters
    topics = _list_arg("service_code")
    for code in topics or ():
        if code not in SERVICES:
            raise Refused(400, f"service_code {code!r} is unknown: see services.json")
    statuses: set[Status] | None = None
    wanted = _list_arg("status")
    if wanted is not None:
        bad = sorted(set(wanted) - {"open", "closed"})
        if bad:
            raise Refused(400, f"status must be open or closed, not {', '.join(bad)}")
        if set(wanted) != {"open", "closed"}:
            statuses = set(DONE) if "closed" in wanted else set(Status) - DONE
    centres = _list_arg("centre")
    for slug in centres or ():
        if centre_by_slug(slug) is None:
            raise Refused(400, f"centre {slug!r} is unknown")
    raw_start, raw_end = request.args.get("start_date"), request.args.get("end_date")
    start = parse_w3c("start_date", raw_start) if raw_start else None
    end = parse_w3c("end_date", raw_end, end_of_day=True) if raw_end else None
    if start is None and end is None:
        end = utcnow()
    if start is None:
        start = end - DEFAULT_SPAN  # type: ignore[operator]
    if end is None:
        end = start + DEFAULT_SPAN
    if end <= start:
        raise Refused(400, "end_date must be after start_date")
    if end - start > DEFAULT_SPAN + timedelta(days=1):
        raise Refused(400, "start_date to end_date may not span more than 90 days")
    page_size = _int_arg("page_size", DEFAULT_LIMIT, 1, DEFAULT_LIMIT)
    page = _int_arg("page", 1, 1, 1_000_000)
    return find_cases(
        store,
        topics=topics,
        statuses=statuses,
        centres=centres,
        start=start,
        end=end,
        limit=page_size,
        offset=(page - 1) * page_size,
    )


#: Public lists are the same for everyone: a worker reuses an answer for a few seconds
#: (the default page of 1,000 rows costs ≈ 50 ms to build; dashboards poll it). Setting
#: ``OPEN311_CACHE_SECONDS`` (0 turns it off).
LIST_CACHE_S = 5.0
LIST_CACHE_SIZE = 256


def _list_cache() -> OrderedDict[tuple[str, str], tuple[float, Response]]:
    return current_app.extensions.setdefault("open311_list_cache", OrderedDict())


@bp.get("/v2/requests.<any(json, xml):fmt>")
def list_requests(fmt: str) -> Response:
    """Service requests, newest first: the spec's filters, at most 90 days and 1000 rows."""
    ttl = float(current_app.config.get("OPEN311_CACHE_SECONDS", LIST_CACHE_S))
    key = (fmt, "&".join(sorted(request.query_string.decode("latin-1").split("&"))))
    now = time.monotonic()
    cache = _list_cache()
    hit = cache.get(key)
    if hit is not None and hit[0] > now:
        return _copy(hit[1])
    _check_jurisdiction(request.args.get("jurisdiction_id"))
    cases = _requests(_list_arg("service_request_id"))
    answer = _answer([public_request(c) for c in cases], fmt,
                     root="service_requests", item="request")  # fmt: skip
    if ttl <= 0:
        return answer
    answer.headers["Cache-Control"] = f"public, max-age={int(ttl)}"
    cache[key] = (now + ttl, answer)
    while len(cache) > LIST_CACHE_SIZE:
        cache.popitem(last=False)
    return _copy(answer)


def _copy(answer: Response) -> Response:
    return Response(
        answer.get_data(), answer.status_code, headers=dict(answer.headers),
        content_type=answer.content_type,
    )  # fmt: skip


@bp.get("/v2/requests/<request_id>.<any(json, xml):fmt>")
def one_request(request_id: str, fmt: str) -> Response:
    """One service request (as a list of one, like the spec)."""
    _check_jurisdiction(request.args.get("jurisdiction_id"))
    ref = parse_ref(request_id)
    found = public_case(db.store(), str(ref)) if ref else None
    if found is None:
        raise Refused(404, f"service_request_id {request_id!r} not found")
    return _answer([public_request(found)], fmt, root="service_requests", item="request")


# -- agencies open cases ----------------------------------------------------------------------


def _body() -> dict[str, str]:
    """The POST's fields: form-encoded (the spec) or a JSON object; scalars as text."""
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        raw = request.get_data(cache=True)
        try:
            data = json.loads(raw.decode("utf-8") if raw else "")
        except (ValueError, RecursionError, UnicodeDecodeError):
            raise Refused(400, "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "the JSON body must be an object of request fields")
        fields: dict[str, str] = {}
        for k, v in data.items():
            if isinstance(v, bool):
                fields[k] = "true" if v else "false"
            elif isinstance(v, str | int | float):
                fields[k] = str(v)
            elif v is not None and k != "attribute":
                raise Refused(400, f"field {k!r} must be text or a number")
        return fields
    return {k: v for k, v in request.form.items()}


def _text(fields: dict[str, str], name: str, limit: int = MAX_FIELD) -> str | None:
    value = fields.get(name, "").strip()
    if len(value) > limit:
        raise Refused(400, f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise Refused(400, f"{name} contains a NUL character")
    return value or None


def _coordinate(fields: dict[str, str], name: str, low: float, high: float) -> float | None:
    raw = _text(fields, name, 40)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Refused(400, f"{name} {raw!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise Refused(400, f"{name} {raw!r} is outside {low}..{high}")
    return value


def _served(iso: str) -> Centre | None:
    centre = centre_by_iso(iso)
    return centre if centre is not None and centre.slug in centre_slugs() else None


def province_in(text: str) -> tuple[Centre | None, str | None]:
    """(province or Bangkok centre, district name) named in an address string
    (:func:`casestore.places.province_in_address`). Refused(400) when two provinces are
    named."""
    try:
        iso, district = places.province_in_address(text)
    except places.AmbiguousAddress:
        raise Refused(400, "address_string names more than one province: give lat/long "
                           "or the centre") from None
    province = centre_by_iso(iso, ("provinces", "bangkok")) if iso else None
    if province is None:
        return None, None
    return province, district


def _locate(fields: dict[str, str]) -> tuple[Centre, str | None, str]:
    """(centre, district, how) from the ``centre`` extension, lat/long or address_string."""
    slug = _text(fields, "centre", 64)
    lat = _coordinate(fields, "lat", -90.0, 90.0)
    lon = _coordinate(fields, "long", -180.0, 180.0)
    if (lat is None) != (lon is None):
        raise Refused(400, "give both lat and long, or neither")
    address = _text(fields, "address_string", MAX_ADDRESS)
    named: Centre | None = None
    district = None
    if address:
        try:
            named, district = province_in(address)
        except Refused:
            if slug is None and lat is None:  # the address would decide: say it is unclear
                raise
    if slug is not None:
        if slug.lower() not in centre_slugs():
            raise Refused(400, f"centre {slug!r} is not a provincial centre served here")
        centre = centre_by_slug(slug)
        assert centre is not None
        if address and (named is None or named.iso != centre.iso):
            district = None
        return centre, district, "centre"
    if lat is not None and lon is not None:
        iso = places.nearest_province(lat, lon)
        if iso is None:
            raise Refused(400, "lat/long is not in Thailand")
        centre = _served(iso)
        if centre is None:
            raise Refused(400, f"no provincial centre here serves {iso}: give the centre")
        if address and (named is None or named.iso != centre.iso):
            district = None
        return centre, district, "lat/long"
    if address:
        if named is None:
            raise Refused(400, "address_string names no Thai province: add the province "
                               "(จ.…) or give lat/long")
        assert named.iso is not None
        centre = _served(named.iso)
        if centre is None:
            raise Refused(400, f"no provincial centre here serves {named.province_en}: "
                               "give the centre")
        return centre, district, "address_string"
    raise Refused(400, "a location is required: lat and long, address_string, or centre "
                       "(the slug of a provincial centre, e.g. chiangrai)")


def _case_body(fields: dict[str, str], agency: str, key_id: int, service: Service) -> str:
    """The case's first message, for the centre's staff only (never shown publicly). The
    free-text description is masked like any citizen's words (`bots.triage.clean`); the
    contact fields the agency sends on purpose are kept for the centre to call back."""
    description = _text(fields, "description", MAX_DESCRIPTION)
    description = clean(description) if description else description
    lines = [description or f"({service.th} · {service.en})", "",
             f"— แจ้งผ่าน Open311 โดย {agency} · via Open311 from {agency} (API key {key_id})",
             f"บริการ · service: {service.name}"]
    if address := _text(fields, "address_string", MAX_ADDRESS):
        lines.append(f"ที่อยู่ · address: {address}")
    if fields.get("lat") and fields.get("long"):
        lines.append(f"พิกัด · position: geo:{fields['lat'].strip()},{fields['long'].strip()}")
    name = " ".join(p for p in (_text(fields, "first_name"), _text(fields, "last_name")) if p)
    contact = [p for p in (name, _text(fields, "phone"), _text(fields, "email")) if p]
    if contact:
        lines.append("ผู้แจ้ง · reporter: " + " · ".join(contact))
    if media := _text(fields, "media_url", 2000):
        if not re.match(r"https?://", media, re.IGNORECASE):
            raise Refused(400, "media_url must be an http(s) URL")
        lines.append(f"ภาพ · media: {media}")
    for name_ in ("account_id", "device_id", "address_id"):
        if value := _text(fields, name_):
            lines.append(f"{name_}: {value}")
    return "\n".join(lines)


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > 200 or not key.isprintable():
        raise Refused(400, "Idempotency-Key must be at most 200 printable characters")
    return f"open311:{key}"


@bp.post("/v2/requests.<any(json, xml):fmt>")
def create_request(fmt: str) -> Response:
    """An agency opens a case (api_key in the body). 201 with the new request's id; the
    same ``Idempotency-Key`` again gives 200 and the same id."""
    fields = _body()
    store = db.store()
    limits = db.limiter()
    bad_limit, bad_window = _limit("OPEN311_BAD_KEY_LIMIT", BAD_KEY_LIMIT)
    bucket = f"open311:badkey:{_client()}"
    # A valid key works whatever its address's count of bad keys (an agency behind a shared
    # address must not be blocked by someone else's guesses; keys have 192 random bits and
    # a check is one SHA-256, so checking before the limit costs nothing).
    key = verify_key(store, fields.get("api_key"))
    if key is None:
        if rate_hits(store, bucket, bad_window) >= bad_limit:
            verdict = limits.hit(bucket, bad_limit, bad_window)
            raise _too_many(verdict.retry_after_s, "too many requests with a wrong api_key")
        limits.hit(bucket, bad_limit, bad_window)
        missing = not fields.get("api_key")
        raise Refused(403, "api_key is missing: send it in the request body"
                      if missing else "api_key is not valid (or was revoked)")
    key_limit, key_window = _limit("OPEN311_KEY_LIMIT", KEY_LIMIT)
    verdict = limits.hit(f"open311:key:{key.id}", key_limit, key_window)
    if not verdict.allowed:
        raise _too_many(verdict.retry_after_s, "too many requests with this api_key")
    _check_jurisdiction(fields.get("jurisdiction_id"))
    code = _text(fields, "service_code", 64)
    if code is None:
        raise Refused(400, "service_code is required: see services.json")
    service = SERVICES.get(code)
    if service is None:
        raise Refused(400, f"service_code {code!r} is unknown: see services.json")
    type_ = _text(fields, "type", 20) or "complaint"
    if type_ not in TYPES:
        raise Refused(400, f"type must be one of {', '.join(sorted(TYPES))}")
    centre, district, _how = _locate(fields)
    body = _case_body(fields, key.agency, key.id, service)
    opened = store.open_case(
        centre=centre.slug,
        province=centre.iso,
        district=district,
        citizen_jid=f"{key.agency}@{DOMAIN_OF_AGENCIES}",
        body=body,
        type=type_,
        topic=code,
        origin_id=_idempotency_key(),
        channel="open311",
    )
    ref = opened.case.ref
    notice = (f"{centre.name_th} รับเรื่องแล้ว เลขที่เรื่อง {ref} · "
              f"Received by the {centre.name_en} as {ref}")
    data = [{"service_request_id": ref, "service_notice": notice, "account_id": None}]
    return _answer(data, fmt, 201 if opened.created else 200,
                   root="service_requests", item="request")


# -- anything else under /open311 -----------------------------------------------------------

_KNOWN = re.compile(
    r"/open311/(?:discovery|v2/services|v2/services/[^/]+|v2/requests|v2/requests/[^/]+)"
    r"\.(?:json|xml)"
)


@bp.route("/<path:rest>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> Response:
    """Errors as Open311 arrays for paths and methods we do not serve."""
    if _KNOWN.fullmatch(request.path):
        allowed = "GET, POST" if request.path.endswith(("/requests.json", "/requests.xml")) \
            else "GET"
        return error(405, f"method {request.method} not allowed here (use {allowed})",
                     {"Allow": allowed})
    if re.fullmatch(r".*\.[A-Za-z0-9]+", rest) and not rest.endswith((".json", ".xml")):
        return error(404, "format not supported: use .json or .xml")
    return error(404, f"no such Open311 resource: /open311/{rest} (see {SPEC})")
