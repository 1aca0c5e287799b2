"""A case forwarded to an agency as an Open311 GeoReport v2 request (the body of its
outbox row). Pure; `bridge.outbox` delivers the rows."""

from __future__ import annotations

import json

from bots.agencies import Agency
from casestore import CaseView, Status, places
from casestore.open311_format import service_request


def open311_request(
    case: CaseView,
    agency: Agency,
    note: str | None = None,
    lat_long: tuple[float, float] | None = None,
) -> dict[str, object]:
    """The Open311 GeoReport v2 request for a case forwarded to `agency`.

    The public record (:func:`casestore.open311_format.service_request`, status
    ``forwarded``) with what only the agency's POST needs: the masked summary as
    ``description``, the agency as ``agency_responsible``, ``address_string`` (the district
    even for a tip), ``type``, ``urgent``, the agent's note, and ``lat``/``long`` only when a
    position is given (the public record's province seat is not where anything happened).
    Fields the record leaves empty are left out. Never the citizen's address.
    """
    record = service_request(case, status=Status.FORWARDED)
    for public_only in ("address", "lat", "long"):
        del record[public_only]
    request: dict[str, object] = {k: v for k, v in record.items() if v is not None}
    request.update(
        description=case.summary,
        agency_responsible=agency.name_th,
        type=case.type,
        urgent=case.urgent,
    )
    if address := places.address_th(case.district, case.province):
        request["address_string"] = address
    if lat_long is not None:
        request["lat"], request["long"] = lat_long
    if note:
        request["agency_note"] = note
    return request


def payload_of(request: dict[str, object]) -> str:
    return json.dumps(request, ensure_ascii=False, sort_keys=True)
