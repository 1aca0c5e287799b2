"""How statuses read to people: Thai labels and English words (shared by bot and bridge)."""

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
