"""What the bot says to citizens: Thai first, English second."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from casestore import CaseView, Status
from casestore.centres import Centre
from casestore.labels import STATUS_EN, STATUS_TH, TOPIC_TH, TYPE_TH

THAI_TIME = timezone(timedelta(hours=7), "ICT")

EMERGENCY = "เหตุด่วนเหตุร้าย โทร 191 · เจ็บป่วยฉุกเฉิน 1669 · ไฟไหม้ 199"
EMERGENCY_EN = "Emergency: police 191, ambulance 1669, fire 199."


def case_opened(ref: str, pin: str, centre: Centre, urgent: bool) -> str:
    lines = []
    if urgent:
        lines += [f"⚠️ หากมีอันตรายต่อชีวิตขณะนี้ {EMERGENCY}", EMERGENCY_EN, ""]
    lines += [
        f"{centre.name_th}ได้รับเรื่องของท่านแล้ว",
        f"เลขที่เรื่อง: {ref}",
        f"รหัสติดตาม (PIN): {pin}",
        "เจ้าหน้าที่จะตอบกลับในแชทนี้ ท่านส่งข้อมูลเพิ่มเติมได้ที่นี่เลย",
        f'ตรวจสอบสถานะได้ทุกเวลา พิมพ์ "สถานะ {ref}" หรือโทร 1567',
        "",
        f"{centre.name_en} has received your report. Case number {ref}, PIN {pin}. "
        "Staff will reply in this chat; you can add details here.",
    ]
    return "\n".join(lines)


def urgent_follow_up(ref: str, reason: str | None) -> str:
    why = f" ({reason})" if reason else ""
    return (
        f"⚠️ หากมีอันตรายต่อชีวิตขณะนี้ {EMERGENCY}\n{EMERGENCY_EN}\n"
        f"ข้อความของท่านถูกเพิ่มในเรื่อง {ref} และแจ้งเจ้าหน้าที่แล้วว่าเป็นเหตุด่วน{why}\n"
        f"Your message was added to case {ref} and flagged to staff as urgent."
    )


def need_detail() -> str:
    return (
        "ขอรายละเอียดเพิ่มอีกนิด: เกิดเรื่องอะไร ที่ไหน (จังหวัด อำเภอ) เมื่อไหร่ "
        "แล้วส่งมาในแชทนี้ได้เลย\n"
        "Please tell us a little more: what happened, where (province, district) and when."
    )


def added_to_case(ref: str) -> str:
    return f"เพิ่มข้อความในเรื่อง {ref} แล้ว · Added to case {ref}."


def unknown_centre(local: str, domain: str) -> str:
    return (
        f'ไม่พบศูนย์ดำรงธรรมที่ชื่อ "{local}" ข้อความนี้ยังไม่ถูกบันทึก\n'
        f"กรุณาส่งถึงศูนย์ของจังหวัดท่าน เช่น chiangrai@{domain} "
        f"หรือส่งถึง {domain} แล้วระบุจังหวัด หรือโทร 1567\n"
        f'No Damrongdham centre is called "{local}"; nothing was recorded. '
        f"Write to your province's centre (e.g. chiangrai@{domain}) or to {domain}."
    )


def unknown_case(local: str) -> str:
    return f"ไม่พบเรื่องเลขที่ {local.upper()} · No case {local.upper()} exists."


def empty_message() -> str:
    return (
        "ข้อความว่าง กรุณาพิมพ์รายละเอียดเรื่องที่ต้องการแจ้ง\n"
        "Your message was empty: please type what you want to report."
    )


def too_long(limit: int, got: int) -> str:
    return (
        f"ข้อความยาวเกินไป ({got:,} ตัวอักษร สูงสุด {limit:,}) ข้อความนี้ยังไม่ถูกบันทึก "
        "กรุณาแบ่งส่งเป็นหลายข้อความ\n"
        f"Your message is too long ({got:,} characters, at most {limit:,}) and was not "
        "recorded: please send it in several parts."
    )


def need_province(domain: str) -> str:
    return (
        'กรุณาระบุจังหวัดที่เกิดเหตุ เช่น "จ.เชียงราย" แล้วส่งเรื่องอีกครั้ง '
        f"หรือส่งถึงศูนย์ของจังหวัดโดยตรง เช่น chiangrai@{domain} · โทร 1567\n"
        "Please name the province (e.g. Chiang Rai) and send again, or write to the "
        f"province's centre directly, e.g. chiangrai@{domain}."
    )


def no_centre_for(iso: str, domain: str) -> str:
    return (
        f"ยังไม่มีศูนย์ดำรงธรรมของจังหวัดนี้ ({iso}) ในระบบนี้ กรุณาโทร 1567 "
        f"หรือส่งถึงศูนย์จังหวัดใกล้เคียง เช่น nonthaburi@{domain}\n"
        "This province's centre is not on this service yet: call 1567."
    )


def staff_not_citizen() -> str:
    return (
        "ที่อยู่นี้สำหรับประชาชนแจ้งเรื่อง เจ้าหน้าที่ตอบเรื่องได้ที่ที่อยู่ของเรื่อง "
        "(เช่น th57-2569-000001@bot...)\n"
        "This address is for citizens. Staff answer a case at the case's own address."
    )


def room_announcement(
    ref: str,
    case_jid: str,
    type_: str,
    topic: str,
    province_th: str | None,
    urgent: bool,
    urgent_reason: str | None,
    summary: str,
    evidence: tuple[str, ...],
) -> str:
    head = f"🚨 ด่วน ({urgent_reason}) " if urgent else "🆕 "
    lines = [
        f"{head}เรื่องใหม่ {ref} · {TYPE_TH.get(type_, type_)} · {TOPIC_TH.get(topic, topic)}",
        f"📍 {province_th or 'ไม่ทราบจังหวัด'}",
        f"«{summary}»",
    ]
    if evidence:
        lines.append("เหตุผลการจัดหมวด: " + ", ".join(evidence))
    lines.append(f"ตอบผู้ร้อง / reply: xmpp:{case_jid}?message")
    return "\n".join(lines)


# -- citizens' commands (bots.citizen) -------------------------------------------------------


def _centre_names(slug: str) -> tuple[str, str]:
    from casestore.centres import centre_by_slug

    centre = centre_by_slug(slug)
    return (centre.name_th, centre.name_en) if centre else (slug, slug)


def _when(at: datetime) -> str:
    return at.astimezone(THAI_TIME).strftime("%Y-%m-%d %H:%M")


def case_status(case: CaseView, merged_into: str | None = None) -> str:
    th, en = _centre_names(case.centre)
    lines = [
        f"เรื่องเลขที่ {case.ref} · case {case.ref}",
        f"สถานะ: {STATUS_TH[case.status]} · status: {STATUS_EN[case.status]}",
        f"อัปเดตล่าสุด · last update: {_when(case.updated_at)} (เวลาประเทศไทย · Thai time)",
        f"ศูนย์ · centre: {th} · {en}",
    ]
    if merged_into:
        lines.append(f"ดำเนินการต่อในเรื่อง · continued under {merged_into}")
    return "\n".join(lines)


def case_not_found(ref: str) -> str:
    return (
        f"ไม่พบเรื่องเลขที่ {ref} ของท่าน กรุณาตรวจสอบเลขที่เรื่อง หรือโทร 1567\n"
        f"No case {ref} of yours was found. Please check the reference, or call 1567."
    )


def open_cases(cases: list[CaseView]) -> str:
    if not cases:
        return (
            "ท่านไม่มีเรื่องที่กำลังดำเนินการ · You have no open case.\n"
            'ดูเรื่องที่ปิดแล้ว พิมพ์ "สถานะ <เลขที่เรื่อง>" · For a closed case: status <ref>.'
        )
    lines = [f"เรื่องของท่านที่กำลังดำเนินการ · your open cases ({len(cases)}):"]
    for case in cases:
        th, _en = _centre_names(case.centre)
        lines.append(
            f"• {case.ref} · {STATUS_TH[case.status]} ({STATUS_EN[case.status]}) · "
            f"{_when(case.updated_at)} · {th}"
        )
    lines.append('รายละเอียด พิมพ์ "สถานะ <เลขที่เรื่อง>" · Details: status <ref>.')
    return "\n".join(lines)


def rating_thanks(ref: str, score: int) -> str:
    return f"ขอบคุณสำหรับคะแนน {score}/5 สำหรับเรื่อง {ref} · Thank you for rating case {ref} {score}/5."


def rating_range() -> str:
    return 'คะแนนต้องเป็น 1 ถึง 5 เช่น "ให้คะแนน 4" · A rating is 1 to 5, e.g. "rate 4".'


def nothing_to_rate() -> str:
    return (
        "ยังไม่มีเรื่องที่แก้ไขแล้วให้ประเมิน · You have no resolved case to rate.\n"
        'ระบุเลขที่เรื่องได้ เช่น "ให้คะแนน 4 TH57-2569-000001" · Or name it: rate 4 <ref>.'
    )


def not_ratable(ref: str, status: Status) -> str:
    return (
        f"เรื่อง {ref} ยัง{STATUS_TH[status]} ให้คะแนนได้เมื่อแก้ไขแล้ว · "
        f"Case {ref} is {STATUS_EN[status]}; it can be rated once resolved."
    )


def nothing_to_reopen() -> str:
    return (
        'ไม่พบเรื่องที่เปิดใหม่ได้ ระบุเลขที่เรื่อง เช่น "เปิดเรื่องใหม่ TH57-2569-000001"\n'
        "No case to reopen: name it, e.g. reopen TH57-2569-000001."
    )


def not_reopenable(ref: str, status: Status) -> str:
    return (
        f"เรื่อง {ref} {STATUS_TH[status]} จึงเปิดใหม่ไม่ได้ · Case {ref} is "
        f"{STATUS_EN[status]} and cannot be reopened."
    )


def reopen_too_late(ref: str, days: int) -> str:
    return (
        f"เรื่อง {ref} แก้ไขแล้วเกิน {days} วัน เปิดใหม่ไม่ได้ กรุณาแจ้งเป็นเรื่องใหม่ในแชทนี้\n"
        f"Case {ref} was resolved more than {days} days ago and cannot be reopened; "
        "please report it again here as a new case."
    )


def reopened(ref: str, centre_th: str) -> str:
    return (
        f"[{ref}] {centre_th}\n"
        f"สถานะเรื่องของท่าน: {STATUS_TH[Status.REOPENED]} เจ้าหน้าที่จะติดต่อกลับในแชทนี้\n"
        f"Status of your case: {STATUS_EN[Status.REOPENED]}; staff will answer in this chat."
    )
