"""Delivering the outbox: cases forwarded to agencies, as Open311 GeoReport v2 requests.

`CaseStore.forward` writes the outbox row in the same transaction as the status change;
this module turns a case into the request (the record of the public Open311 API, plus what
the agency's POST needs), and a worker POSTs due rows (JSON) to the agency's endpoint with
exponential backoff until one is accepted (2xx). The agency's reference
(``service_request_id`` or ``token`` of the answer) is recorded with the time of delivery.
Rows live in the database, so delivery survives restarts and long outages.
Each POST carries ``Idempotency-Key: <deployment>/<row id>`` so that an agency can tell a
retry whose first answer was lost from a new request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bots.agencies import Agency
from bots.open311 import open311_request, payload_of  # noqa: F401 (built in the brain)
from casestore import CaseStore, DeliveryView
from casestore.refs import utcnow

log = logging.getLogger(__name__)

BACKOFF_FIRST = 5.0  # seconds before the first retry; doubles each time
BACKOFF_MAX = 3600.0  # never wait more than an hour between tries
POLL_EVERY = 2.0
HTTP_TIMEOUT = 15.0


# -- delivery --------------------------------------------------------------------------------


class DeliveryError(Exception):
    """The agency did not accept the request (network error or non-2xx answer)."""


#: (url, JSON body, idempotency key) → the answer's body; raises DeliveryError.
Poster = Callable[[str, str, str], bytes]


def post_json(url: str, body: str, key: str, timeout: float = HTTP_TIMEOUT) -> bytes:
    """POST `body` as JSON; the answer's body on 2xx, else DeliveryError."""
    req = urllib.request.Request(
        url,
        data=body.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {url}") from exc
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def agency_reference(answer: bytes) -> str | None:
    """`service_request_id` (or `token`) of an Open311 answer: a list of one object, or one."""
    try:
        data = json.loads(answer or b"null")
    except ValueError:
        return None
    if isinstance(data, list) and data:
        data = data[0]
    if not isinstance(data, dict):
        return None
    for key in ("service_request_id", "token", "id"):
        if data.get(key) not in (None, ""):
            return str(data[key])[:200]
    return None


def backoff(attempts: int, first: float = BACKOFF_FIRST, most: float = BACKOFF_MAX) -> float:
    """Seconds to wait after the `attempts`-th failure: first, 2×first, 4×first… up to most."""
    return min(most, first * 2 ** max(0, attempts - 1))


@dataclass
class Outcome:
    delivered: list[DeliveryView]
    failed: list[DeliveryView]


def deliver_due(
    store: CaseStore,
    agencies: dict[str, Agency],
    *,
    deployment: str = "damrongdham",
    post: Poster = post_json,
    now: Callable[[], datetime] = utcnow,
    first: float = BACKOFF_FIRST,
    most: float = BACKOFF_MAX,
) -> Outcome:
    """Try every due outbox row once; what was delivered and what failed (to retry later).

    A row whose agency has no URL (or is no longer configured) waits: it counts as a failed
    attempt, so it is retried with backoff once an operator configures the endpoint.
    """
    outcome = Outcome([], [])
    for row in store.due_deliveries(now=now()):
        agency = agencies.get(row.agency)
        try:
            if agency is None or not agency.url:
                raise DeliveryError(f"agency {row.agency!r} has no endpoint configured")
            answer = post(agency.url, row.payload, f"{deployment}/{row.id}")
        except DeliveryError as exc:
            wait = backoff(row.attempts + 1, first, most)
            log.warning(
                "outbox %s (%s → %s): %s; retry in %.0f s", row.id, row.ref, row.agency, exc, wait
            )
            retry_at = now() + timedelta(seconds=wait)
            outcome.failed.append(store.delivery_failed(row.id, str(exc), retry_at))
            continue
        done = store.delivered(row.id, agency_reference(answer), now=now())
        log.info(
            "outbox %s: %s delivered to %s (ref %s)", row.id, row.ref, row.agency, done.agency_ref
        )
        outcome.delivered.append(done)
    return outcome


async def deliver_forever(
    store: CaseStore,
    agencies: dict[str, Agency],
    deployment: str = "damrongdham",
    every: float = POLL_EVERY,
    on_delivered: Callable[[DeliveryView], None] | None = None,
) -> None:
    """The bot process's delivery worker: poll the outbox until cancelled."""
    while True:
        try:
            outcome = await asyncio.to_thread(deliver_due, store, agencies, deployment=deployment)
            if on_delivered:
                for row in outcome.delivered:
                    on_delivered(row)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox delivery failed; trying again")
        await asyncio.sleep(every)
