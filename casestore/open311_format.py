"""A case as an Open311 GeoReport v2 service request: the one serialiser.

:func:`service_request` writes the record the public API answers with
(``GET /open311/v2/requests.json``) and that the outbox sends to an agency a case is
forwarded to (``bridge/outbox.py`` adds what only that POST needs: the masked summary, the
address, type, urgency and the agent's note). Also here: the services (one per case topic)
and the words for kinds and topics the record is written with.

The record holds no personal data: its ``description`` is the case's kind and topic, never
the citizen's words; ``address`` the district and province (the province alone for a tip:
a district may point at the person who gave it); ``lat``/``long`` the province's seat, not
where anyone is. An anonymous case (the placeholder citizen ``anonymous@anon.D``, whatever
its type) is published with its province only and its dates to the day (``2026-11-21``): a
district and a time to the second, set beside the upload and access times of that second,
could point at the whistle-blower. See ``docs/open311.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from . import places
from .centres import centre_by_slug
from .lifecycle import Status, open311_status
from .refs import BANGKOK, as_utc

__all__ = [
    "SERVICES",
    "TYPE_LABELS",
    "CaseFacts",
    "Service",
    "describe",
    "public_address",
    "service_request",
    "topic_label",
    "w3c",
    "w3c_day",
]


# -- what the services are: the case topics -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    th: str
    en: str
    about_th: str
    about_en: str
    keywords: str
    group: str

    @property
    def name(self) -> str:
        return f"{self.th} ({self.en})"


_CRIME = "ยาเสพติด การพนัน และการทุจริต · Crime and corruption"
_COMMUNITY = "ชุมชนและสิ่งแวดล้อม · Community and environment"
_FAIRNESS = "สิทธิและความเป็นธรรม · Rights and fair dealing"
_SOCIAL = "ครอบครัวและสวัสดิการ · Family and welfare"
_OTHER = "อื่น ๆ · Other"

SERVICES: dict[str, Service] = {
    s.code: s
    for s in (
        Service("land", "ที่ดิน", "Land",
                "ข้อพิพาทที่ดิน การรุกล้ำ ที่ทำกิน เอกสารสิทธิ์",
                "Land disputes, encroachment, farmland, title deeds",
                "ที่ดิน,โฉนด,รุกล้ำ,ที่ทำกิน,land,title deed,encroachment", _FAIRNESS),
        Service("debt", "หนี้สิน", "Debt",
                "หนี้นอกระบบ ดอกเบี้ยเกินกฎหมาย การทวงหนี้ไม่เป็นธรรม",
                "Informal loans, illegal interest, abusive debt collection",
                "หนี้,หนี้นอกระบบ,ดอกเบี้ย,ทวงหนี้,debt,loan shark", _FAIRNESS),
        Service("drugs", "ยาเสพติด", "Drugs",
                "แหล่งค้าหรือแหล่งมั่วสุมยาเสพติด",
                "Drug dealing or drug use in the community",
                "ยาเสพติด,ยาบ้า,drugs,narcotics", _CRIME),
        Service("gambling", "การพนัน", "Gambling",
                "บ่อนการพนัน พนันออนไลน์",
                "Gambling dens, online gambling",
                "การพนัน,บ่อน,พนันออนไลน์,gambling", _CRIME),
        Service("nuisance", "เหตุเดือดร้อนรำคาญ", "Nuisance",
                "เสียงดัง กลิ่น ควัน ฝุ่น การรบกวนในชุมชน",
                "Noise, smells, smoke, dust, disturbances",
                "เสียงดัง,กลิ่นเหม็น,ควัน,รำคาญ,noise,nuisance", _COMMUNITY),
        Service("infrastructure", "สาธารณูปโภค", "Infrastructure",
                "ถนน ไฟฟ้า ประปา ไฟส่องสว่าง ท่อระบายน้ำ",
                "Roads, electricity, water supply, street lights, drains",
                "ถนน,ไฟฟ้า,ประปา,ไฟทาง,ท่อระบายน้ำ,road,pothole,water,street light",
                _COMMUNITY),
        Service("corruption", "ทุจริต", "Corruption",
                "การทุจริตหรือประพฤติมิชอบของเจ้าหน้าที่รัฐ",
                "Corruption or misconduct of public officials",
                "ทุจริต,คอร์รัปชัน,สินบน,corruption,bribery", _CRIME),
        Service("consumer", "ผู้บริโภค", "Consumer protection",
                "สินค้าและบริการไม่เป็นธรรม การหลอกลวงผู้บริโภค",
                "Unfair goods and services, consumer scams",
                "ผู้บริโภค,สินค้า,หลอกลวง,consumer,scam", _FAIRNESS),
        Service("environment", "สิ่งแวดล้อม", "Environment",
                "มลพิษ ขยะ น้ำเสีย การบุกรุกป่า",
                "Pollution, waste, wastewater, forest encroachment",
                "มลพิษ,ขยะ,น้ำเสีย,ป่า,pollution,waste,environment", _COMMUNITY),
        Service("labour", "แรงงาน", "Labour",
                "ค่าจ้าง การเลิกจ้าง สภาพการทำงาน",
                "Wages, dismissal, working conditions",
                "แรงงาน,ค่าจ้าง,เลิกจ้าง,labour,wages", _FAIRNESS),
        Service("family", "ครอบครัว", "Family",
                "ความรุนแรงในครอบครัว ข้อพิพาทในครอบครัว",
                "Domestic violence, family disputes",
                "ครอบครัว,ความรุนแรงในครอบครัว,family,domestic violence", _SOCIAL),
        Service("welfare", "สวัสดิการ", "Welfare",
                "สวัสดิการของรัฐ เบี้ยยังชีพ ความช่วยเหลือผู้เดือดร้อน",
                "State welfare, allowances, help for people in need",
                "สวัสดิการ,เบี้ยยังชีพ,ช่วยเหลือ,welfare,allowance", _SOCIAL),
        Service("other", "อื่น ๆ", "Other",
                "เรื่องอื่นที่ศูนย์ดำรงธรรมรับ",
                "Anything else a Damrongdham Centre handles",
                "อื่นๆ,other", _OTHER),
    )
}

TYPE_LABELS: dict[str, tuple[str, str]] = {
    "complaint": ("ร้องเรียน", "complaint"),
    "help": ("ขอความช่วยเหลือ", "request for help"),
    "tip": ("แจ้งเบาะแส", "tip"),
    "inquiry": ("สอบถาม", "inquiry"),
    "suggestion": ("ข้อเสนอแนะ", "suggestion"),
}


def topic_label(topic: str) -> tuple[str, str]:
    """(Thai, English) words for a case topic."""
    s = SERVICES.get(topic)
    return (s.th, s.en) if s else (topic, topic)


def describe(type_: str, topic: str) -> str:
    """A request's public description: its kind and topic, never the citizen's words."""
    t_th, t_en = TYPE_LABELS.get(type_, (type_, type_))
    s_th, s_en = topic_label(topic)
    return f"{t_th} · {s_th} ({t_en}, {s_en.lower()})"


def w3c(at: datetime) -> str:
    """A W3C datetime in Thai time: ``2026-11-21T15:04:05+07:00``."""
    return as_utc(at).astimezone(BANGKOK).isoformat(timespec="seconds")


def w3c_day(at: datetime) -> str:
    """The Thai-time date alone, a W3C date of day precision: ``2026-11-21``."""
    return as_utc(at).astimezone(BANGKOK).date().isoformat()


class CaseFacts(Protocol):
    """What the record is written from: a public case (``casestore.public_reads.PublicCase``)
    or a whole one (``casestore.CaseView``); only these fields are read."""

    @property
    def ref(self) -> str: ...
    @property
    def centre(self) -> str: ...
    @property
    def province(self) -> str | None: ...
    @property
    def district(self) -> str | None: ...
    @property
    def status(self) -> Status: ...
    @property
    def type(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def anonymous(self) -> bool: ...


def public_address(
    district: str | None, province: str | None, type_: str, anonymous: bool = False
) -> str | None:
    """``อ.แม่สาย จ.เชียงราย``; the province alone for tips and anonymous cases (a district
    may point at the person who gave the tip)."""
    hidden = anonymous or type_ == "tip"
    return places.address_th(None if hidden else district, province)


def service_request(case: CaseFacts, status: Status | None = None) -> dict[str, Any]:
    """A case as an Open311 service request: public fields only, in the spec's order (and
    our ``centre`` last). ``status`` overrides the case's (the outbox writes the record
    before the case is marked forwarded)."""
    centre = centre_by_slug(case.centre)
    province = case.province or (centre.iso if centre else None)
    point = places.province_point(province)
    service = SERVICES.get(case.topic)
    status = case.status if status is None else status
    when = w3c_day if case.anonymous else w3c
    return {
        "service_request_id": case.ref,
        "status": open311_status(status),
        "status_notes": status.value,
        "service_name": service.name if service else case.topic,
        "service_code": case.topic,
        "description": describe(case.type, case.topic),
        "agency_responsible": centre.name_th if centre else case.centre,
        "service_notice": None,
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(case.updated_at),
        "expected_datetime": None,
        "address": public_address(case.district, province, case.type, case.anonymous),
        "address_id": None,
        "zipcode": None,
        "lat": point[0] if point else None,
        "long": point[1] if point else None,
        "media_url": None,
        "centre": case.centre,
    }
