"""How the dashboard shows things: Thai labels, Buddhist-era dates in Bangkok time, names.

Status, topic and type labels come from ``casestore.labels`` (shared with the bot).
"""

from __future__ import annotations

from datetime import date, datetime

from casestore import places
from casestore.centres import centre_by_slug
from casestore.events import EventKind
from casestore.labels import STATUS_TH, TOPIC_TH, TYPE_TH
from casestore.lifecycle import Status
from casestore.refs import BANGKOK, BE_OFFSET, as_utc

DIRECTION_TH: dict[str, str] = {
    "citizen": "ผู้ร้อง",
    "agent": "เจ้าหน้าที่",
    "system": "ระบบ",
    "note": "บันทึกภายใน (ผู้ร้องไม่เห็น)",
}
#: Audit event kinds (casestore, bridge, bot) in Thai; unknown kinds show as they are.
EVENT_TH: dict[str, str] = {
    EventKind.OPENED: "เปิดเรื่อง",
    EventKind.ASSIGNED: "มอบหมายเจ้าหน้าที่",
    EventKind.CLAIMED: "รับเรื่อง",
    EventKind.RELEASED: "นำเรื่องออกจากเจ้าหน้าที่ (กลับเข้าคิว)",
    EventKind.STATUS: "เปลี่ยนสถานะ",
    EventKind.NOTE: "บันทึกภายใน",
    EventKind.TRANSFERRED: "โอนเรื่องไปศูนย์อื่น",
    EventKind.FORWARDED: "ส่งต่อหน่วยงาน",
    EventKind.DELIVERED: "หน่วยงานได้รับเรื่องแล้ว",
    EventKind.MERGED: "รวมเข้ากับเรื่องอื่น",
    EventKind.MERGED_IN: "รับเรื่องซ้ำมารวม",
    EventKind.RATED: "ผู้ร้องให้คะแนน",
    EventKind.QUEUED: "แจ้งผู้ร้องว่าไม่มีเจ้าหน้าที่ปฏิบัติงาน",
    EventKind.HISTORY: "เจ้าหน้าที่เปิดดูประวัติ",
    EventKind.HELP: "เจ้าหน้าที่ดูคำสั่ง",
    EventKind.REPLY_LIST: "เจ้าหน้าที่ดูข้อความสำเร็จรูป",
    EventKind.SLA_FIRST_RESPONSE: "เกินกำหนดตอบกลับครั้งแรก",
    EventKind.SLA_RESOLUTION: "เกินกำหนดแก้ไขเรื่อง",
    EventKind.SLA_ESCALATION_1: "ยกระดับเรื่อง ขั้นที่ 1",
    EventKind.SLA_ESCALATION_2: "ยกระดับเรื่อง ขั้นที่ 2 (กระทรวง)",
}
#: SLA chart labels (casestore.queries.SLA_EVENTS).
SLA_TH: dict[str, str] = {
    EventKind.SLA_FIRST_RESPONSE: "เกินกำหนดตอบกลับครั้งแรก",
    EventKind.SLA_RESOLUTION: "เกินกำหนดแก้ไขเรื่อง",
    EventKind.SLA_ESCALATION_1: "ยกระดับขั้นที่ 1",
    EventKind.SLA_ESCALATION_2: "ยกระดับขั้นที่ 2",
}
#: Response-time bucket labels (casestore.queries.RESPONSE_BUCKETS).
RESPONSE_TH: dict[str, str] = {
    "lt_15m": "ไม่ถึง 15 นาที",
    "lt_1h": "15–60 นาที",
    "lt_4h": "1–4 ชั่วโมง",
    "lt_1d": "4–24 ชั่วโมง",
    "lt_3d": "1–3 วัน",
    "ge_3d": "3 วันขึ้นไป",
}
MONTHS_TH = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
UNKNOWN_PROVINCE_TH = "ไม่ทราบจังหวัด"


def bangkok(at: datetime) -> datetime:
    """An instant in Bangkok time (naive means UTC)."""
    return as_utc(at).astimezone(BANGKOK)


def thai_date(day: date | datetime | None) -> str:
    """«21 พ.ย. 2569» (a datetime is first put in Bangkok time); empty for None."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = bangkok(day).date()
    return f"{day.day} {MONTHS_TH[day.month - 1]} {day.year + BE_OFFSET}"


def thai_short_date(day: date) -> str:
    """«21 พ.ย.» for chart axes."""
    return f"{day.day} {MONTHS_TH[day.month - 1]}"


def thai_datetime(at: datetime | None) -> str:
    """«21 พ.ย. 2569 14:17 น.» in Bangkok time; empty for None."""
    if at is None:
        return ""
    local = bangkok(at)
    return f"{thai_date(local.date())} {local:%H:%M} น."


def be_stamp(at: datetime | None) -> str:
    """«2569-11-21 14:17» (Buddhist-era year, Bangkok time) for CSV; empty for None."""
    if at is None:
        return ""
    local = bangkok(at)
    return f"{local.year + BE_OFFSET:04d}-{local:%m-%d %H:%M}"


def duration_th(seconds: float | None) -> str:
    """«2 ชม. 5 นาที», «3 วัน 4 ชม.», «45 วินาที»; «–» for None."""
    if seconds is None:
        return "–"
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} วินาที"
    minutes = s // 60
    if minutes < 60:
        return f"{minutes} นาที"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} ชม. {minutes} นาที" if minutes else f"{hours} ชม."
    days, hours = divmod(hours, 24)
    return f"{days} วัน {hours} ชม." if hours else f"{days} วัน"


def status_th(status: str | Status) -> str:
    try:
        return STATUS_TH[Status(status)]
    except ValueError:
        return str(status)


def topic_th(topic: str) -> str:
    return TOPIC_TH.get(topic, topic)


def type_th(kind: str) -> str:
    return TYPE_TH.get(kind, kind)


def direction_th(direction: str) -> str:
    return DIRECTION_TH.get(direction, direction)


def event_th(kind: str) -> str:
    return EVENT_TH.get(kind, kind)


def centre_th(slug: str) -> str:
    """The centre's Thai name, or the slug for a centre not in the data file."""
    centre = centre_by_slug(slug)
    return centre.name_th if centre else slug


def province_th(iso: str | None) -> str:
    """The province's Thai name for ``TH-57``; «ไม่ทราบจังหวัด» for None."""
    if not iso:
        return UNKNOWN_PROVINCE_TH
    province = places.province(iso)
    return province.name_th if province else iso


FILTERS = {
    "status_th": status_th,
    "topic_th": topic_th,
    "type_th": type_th,
    "event_th": event_th,
    "direction_th": direction_th,
    "centre_th": centre_th,
    "province_th": province_th,
    "thai_date": thai_date,
    "thai_datetime": thai_datetime,
    "duration_th": duration_th,
}
