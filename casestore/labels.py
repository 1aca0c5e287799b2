"""How statuses, types and topics read to people: Thai labels and English words (shared by
the bot, the bridge and the web)."""

from __future__ import annotations

from .lifecycle import Status

STATUS_TH: dict[Status, str] = {
    Status.NEW: "รอรับเรื่อง",
    Status.ASSIGNED: "มีเจ้าหน้าที่รับเรื่องแล้ว",
    Status.IN_PROGRESS: "กำลังดำเนินการ",
    Status.FORWARDED: "ส่งต่อหน่วยงานที่เกี่ยวข้องแล้ว",
    Status.WAITING_CITIZEN: "รอข้อมูลเพิ่มเติมจากผู้ร้อง",
    Status.RESOLVED: "แก้ไขแล้ว",
    Status.CLOSED: "ปิดเรื่องแล้ว",
    Status.MERGED: "รวมกับเรื่องอื่นแล้ว",
    Status.REOPENED: "เปิดเรื่องใหม่",
}

STATUS_EN: dict[Status, str] = {s: s.value.replace("_", " ") for s in Status}


def status_label(status: Status) -> str:
    """«กำลังดำเนินการ (in progress)»."""
    return f"{STATUS_TH[status]} ({STATUS_EN[status]})"


TYPE_TH: dict[str, str] = {
    "complaint": "ร้องเรียน",
    "help": "ขอความช่วยเหลือ",
    "tip": "แจ้งเบาะแส",
    "inquiry": "สอบถาม",
    "suggestion": "ข้อเสนอแนะ",
}

TOPIC_TH: dict[str, str] = {
    "land": "ที่ดิน",
    "debt": "หนี้สิน",
    "drugs": "ยาเสพติด",
    "gambling": "การพนัน",
    "nuisance": "เหตุเดือดร้อนรำคาญ",
    "infrastructure": "สาธารณูปโภค",
    "corruption": "ทุจริต",
    "consumer": "ผู้บริโภค",
    "environment": "สิ่งแวดล้อม",
    "labour": "แรงงาน",
    "family": "ครอบครัว",
    "welfare": "สวัสดิการ",
    "other": "อื่น ๆ",
}
