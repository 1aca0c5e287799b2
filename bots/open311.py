"""A case forwarded to an agency as an Open311 GeoReport v2 request (the body of its
outbox row). Pure; `bridge.outbox` delivers the rows."""

from __future__ import annotations

import json

from bots.agencies import Agency
from casestore import CaseView, open311_status
from casestore.centres import centre_by_iso


def address_string(case: CaseView) -> str | None:
    """`อ.แม่สาย จ.เชียงราย` from the case's district and province, when known."""
    parts = []
    if case.district:
        parts.append(
            case.district if case.district.startswith(("อ.", "เขต")) else f"อ.{case.district}"
        )
    centre = centre_by_iso(case.province, ("provinces", "bangkok")) if case.province else None
    if centre is not None:
        parts.append(centre.province_th if centre.kind == "bangkok" else f"จ.{centre.province_th}")
    return " ".join(parts) or None


def open311_request(
    case: CaseView,
    agency: Agency,
    note: str | None = None,
    lat_long: tuple[float, float] | None = None,
) -> dict[str, object]:
    """The Open311 GeoReport v2 request for a case forwarded to `agency`.

    Only what an agency needs: the masked summary, never the citizen's address.
    """
    request: dict[str, object] = {
        "service_request_id": case.ref,
        "service_code": case.topic,
        "description": case.summary,
        "status": open311_status("forwarded"),
        "status_notes": "forwarded",
        "agency_responsible": agency.name_th,
        "requested_datetime": case.created_at.isoformat(),
        "type": case.type,
        "urgent": case.urgent,
    }
    if address := address_string(case):
        request["address_string"] = address
    if lat_long is not None:
        request["lat"], request["long"] = lat_long
    if note:
        request["agency_note"] = note
    return request


def payload_of(request: dict[str, object]) -> str:
    return json.dumps(request, ensure_ascii=False, sort_keys=True)
