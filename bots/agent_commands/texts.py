"""What the agent commands say, Thai first then English: one named entry per message.

Entries with blanks are functions of what fills them. Change a text here and every way in
(chat, room, ad-hoc note, dashboard) says the new one.
"""

from __future__ import annotations

# -- syntax ----------------------------------------------------------------------------------


def argument_missing(name: str, thai: str, usage_en: str, usage_th: str) -> str:
    return (
        f"คำสั่ง /{thai} ต้องมี {usage_th} เช่น /{thai} {usage_th}\n"
        f"/{name} needs {usage_en}: /{name} {usage_en}"
    )


def argument_not_taken(name: str, thai: str) -> str:
    return (
        f"คำสั่ง /{thai} ไม่ต้องมีข้อความต่อท้าย · /{name} takes no argument.\n"
        "ถ้าต้องการส่งข้อความนี้ถึงผู้ร้อง ให้ขึ้นต้นด้วย // · "
        "To send it to the citizen as text, start it with //."
    )


def unknown_command(word: str) -> str:
    return (
        f"ไม่รู้จักคำสั่ง «{word}» พิมพ์ /ช่วยเหลือ เพื่อดูคำสั่ง ข้อความนี้ไม่ถูกส่งถึงผู้ร้อง\n"
        f"Unknown command «{word}»; /help lists them. Nothing was sent to the citizen. "
        "To send text that starts with / or !, double it: //text."
    )


HELP_TITLE = "คำสั่งสำหรับเจ้าหน้าที่ (ขึ้นต้นด้วย / หรือ !) · Agent commands (start with / or !):"
HELP_FOOTER = (
    "ข้อความอื่นทั้งหมดส่งถึงผู้ร้องในนามศูนย์ฯ; //ข้อความ ส่ง /ข้อความ ตามตัวอักษร\n"
    "Anything else goes to the citizen, signed by the centre; //text sends /text as is.\n"
    "สถานะ · statuses: "
)

# -- the centre room -------------------------------------------------------------------------

ROOM_HELP_TITLE = (
    "คำสั่งในห้องศูนย์ฯ ใส่เลขที่เรื่องต่อจากคำสั่ง · In the room, put the case reference after the command:"
)
ROOM_HELP_FOOTER = (
    "ถ้าแอปใช้ / เป็นคำสั่งของแอปเอง ให้ใช้ ! แทน · If your app takes /words itself, "
    "use ! instead (!claim …).\n"
    "คำสั่งทั้งหมดพิมพ์ /help ในแชตของเรื่อง · Every command: /help in a case's chat."
)


def need_ref(name: str) -> str:
    return (
        f"ในห้องศูนย์ฯ ต้องระบุเลขที่เรื่อง เช่น /{name} TH57-2569-000001 ไม่มีการเปลี่ยนแปลง\n"
        f"In the room, name the case: /{name} TH57-2569-000001. Nothing was done."
    )


# -- claim, assign ---------------------------------------------------------------------------

ALREADY_YOURS = "ท่านรับเรื่องนี้ไว้แล้ว · You already hold this case."
CLAIMED = "ท่านรับเรื่องนี้แล้ว · You now hold this case."


def claimed_by_other(holder: str) -> str:
    return f"เรื่องนี้ {holder} รับไว้แล้ว ไม่มีการเปลี่ยนแปลง\nAlready claimed by {holder}; nothing changed."


def room_claimed(ref: str, actor: str) -> str:
    return f"✋ {ref} รับเรื่องโดย · claimed by {actor}"


def no_agent(arg: str, centre: str, domain: str) -> str:
    return (
        f"ไม่พบเจ้าหน้าที่ «{arg}» ของศูนย์นี้ ไม่มีการเปลี่ยนแปลง\n"
        f"No agent «{arg}» in this centre; nothing changed. "
        f"Use a JID or the name part of <name>.{centre}@{domain}."
    )


def already_holds(target: str) -> str:
    return f"เรื่องนี้อยู่กับ {target} อยู่แล้ว · {target} already holds this case."


def assigned(target: str) -> str:
    return f"มอบหมายให้ {target} แล้ว · Assigned to {target}."


def assigned_to_you(ref: str, actor: str, summary: str, case_jid: str) -> str:
    return (
        f"[{ref}] {actor} มอบหมายเรื่องนี้ให้ท่าน · assigned this case to "
        f"you.\n{summary}\nxmpp:{case_jid}?message"
    )


def room_assigned(ref: str, target: str, actor: str) -> str:
    return f"👉 {ref} มอบหมายให้ · assigned to {target} โดย · by {actor}"


# -- transfer --------------------------------------------------------------------------------


def no_centre(word: str) -> str:
    return (
        f"ไม่พบศูนย์ «{word}» ไม่มีการเปลี่ยนแปลง ใช้ชื่อย่อของศูนย์ เช่น chiangmai, "
        f"chiangrai-maesai, moi หรือชื่อจังหวัด\nNo centre «{word}»; nothing changed. "
        "Use a centre slug (chiangmai, chiangrai-maesai, moi) or a province name."
    )


def other_server(word: str, domain: str) -> str:
    return (
        f"«{word}» เป็นศูนย์บนเซิร์ฟเวอร์อื่น ระบบนี้ยังโอนเรื่องข้ามเซิร์ฟเวอร์ไม่ได้ "
        f"ไม่มีการเปลี่ยนแปลง ใช้ชื่อย่อของศูนย์บน {domain} หรือโทรประสานศูนย์นั้นโดยตรง\n"
        f"«{word}» is a centre of another server; this server cannot transfer cases to other "
        f"servers yet. Nothing changed. Use a centre of {domain}, or contact that centre directly."
    )


def already_at(name_th: str, slug: str) -> str:
    return f"เรื่องนี้อยู่ที่ {name_th} อยู่แล้ว · The case is already at {slug}."


def not_served(name_th: str, name_en: str, slug: str) -> str:
    return (
        f"ศูนย์ {name_th} ยังไม่เปิดให้บริการบนระบบนี้ ไม่มีการเปลี่ยนแปลง\n"
        f"{name_en} ({slug}) has no room on this server; nothing changed."
    )


def not_open_transfer(status_th: str, status: str) -> str:
    return (
        f"เรื่องนี้{status_th} โอนไม่ได้ (เปิดใหม่ก่อนด้วย /เปิดใหม่)\n"
        f"A {status} case cannot be transferred; /reopen it first."
    )


def transfer_notice(
    ref: str, old_th: str, old_en: str, new_th: str, new_en: str, reason: str, case_jid: str
) -> str:
    lines = [
        f"[{ref}] {new_th}",
        f"เรื่องของท่านถูกโอนจาก{old_th} ไปยัง{new_th} เลขที่เรื่องยังคงเป็น {ref}",
        f"Your case moved from the {old_en} to the {new_en}; its reference stays {ref}.",
    ]
    if reason:
        lines.append(reason)
    lines.append(f"ตอบกลับที่นี่ได้ตามปกติ · Reply here as before: xmpp:{case_jid}")
    return "\n".join(lines)


def transferred(name_th: str, slug: str) -> str:
    return (
        f"โอนเรื่องไป{name_th}แล้ว แจ้งผู้ร้องแล้ว · Transferred to {slug}; "
        "the citizen has been told. You are no longer an agent of this case."
    )


def room_transferred_out(ref: str, slug: str, name_th: str, actor: str, why: str) -> str:
    return f"↪️ {ref} โอนไป · transferred to {slug} ({name_th}) โดย · by {actor}{why}"


def room_transferred_in(
    urgent: str, ref: str, old: str, actor: str, why: str, kind: str, status: str,
    summary: str, case_jid: str,
) -> str:  # fmt: skip
    return (
        f"📥 {urgent}{ref} โอนมาจาก · transferred from {old} โดย · by {actor}{why}\n"
        f"{kind} · สถานะ · status {status}\n"
        f"{summary}\n"
        f"เปิดเรื่อง / open: xmpp:{case_jid}?message"
    )


URGENT_MARK = "🚨 ด่วน · URGENT "

# -- forward ---------------------------------------------------------------------------------


def no_agency(word: str, known: str) -> str:
    return (
        f"ไม่พบหน่วยงาน «{word}» ไม่มีการเปลี่ยนแปลง · No agency «{word}»; "
        f"nothing changed.\nหน่วยงาน · agencies: {known}"
    )


def forwarded_notice(name_th: str, name_en: str) -> str:
    return f"ส่งต่อ{name_th} · forwarded to the {name_en}"


def forwarded(name_th: str, agency_id: str, row: int, has_url: bool) -> str:
    pending = "" if has_url else " (ยังไม่ได้ตั้งปลายทาง รอในคิว · endpoint not set: it waits)"
    return (
        f"ส่งต่อ{name_th}แล้ว แจ้งผู้ร้องแล้ว กำลังนำส่ง (คิว #{row}){pending}\n"
        f"Forwarded to {agency_id}; the citizen has been told; delivery queued as "
        f"#{row}{'' if has_url else ' (no endpoint configured yet)'}."
    )


# -- merge -----------------------------------------------------------------------------------


def no_case(arg: str) -> str:
    return f"ไม่พบเรื่องเลขที่ «{arg}» · No case «{arg}»"


MERGE_ITSELF = "รวมเรื่องเข้ากับตัวเองไม่ได้ · A case cannot be merged into itself"


def other_citizen(ref: str) -> str:
    return f"{ref} เป็นเรื่องของผู้ร้องคนอื่น · {ref} is another citizen's case"


def other_centre(ref: str, centre: str) -> str:
    return f"{ref} อยู่ที่ศูนย์ {centre} · {ref} is at centre {centre}; transfer one of them first"


def keep_not_open(ref: str, status_th: str, status: str) -> str:
    return f"{ref} {status_th}แล้ว · {ref} is {status}; reopen it first"


def nothing_changed(problem: str) -> str:
    return f"{problem}\nไม่มีการเปลี่ยนแปลง · Nothing changed."


def merge_notice(dup: str, signature: str, keep: str, keep_jid: str) -> str:
    return (
        f"[{dup}] {signature}\n"
        f"เรื่อง {dup} ซ้ำกับเรื่อง {keep} ของท่าน จึงรวมไว้ด้วยกัน "
        f"เราดำเนินการต่อในเรื่อง {keep}\n"
        f"Your case {dup} repeats your case {keep}, so they were merged; "
        f"we continue under {keep}: xmpp:{keep_jid}"
    )


def merged(keep: str, keep_jid: str) -> str:
    return (
        f"รวมเข้ากับ {keep} แล้ว แจ้งผู้ร้องแล้ว · Merged into {keep}; the citizen "
        f"has been told. Continue at xmpp:{keep_jid}?message"
    )


def room_merged(dup: str, keep: str, old_status: str, actor: str) -> str:
    return f"🔗 {dup} รวมเข้ากับ · merged into {keep} ({old_status} → merged) โดย · by {actor}"


# -- reply -----------------------------------------------------------------------------------

CANNED_TITLE = "ข้อความสำเร็จรูปของศูนย์ · canned replies of this centre:\n"


def canned_line(th_name: str, name: str, text: str) -> str:
    return f"• /ตอบ {th_name} · /reply {name} — {text}"


def no_canned(arg: str, listing: str) -> str:
    return (
        f"ไม่พบข้อความสำเร็จรูป «{arg}» ไม่มีการส่ง · No canned reply «{arg}»; "
        f"nothing was sent.\n{listing}"
    )


def not_open_reply(status_th: str, status: str) -> str:
    return f"เรื่องนี้{status_th} ไม่มีการส่ง · The case is {status}; nothing was sent."


def canned_sent(th_name: str, name: str) -> str:
    return f"ส่ง «{th_name}» แล้ว · Sent «{name}»."


# -- note, status ----------------------------------------------------------------------------

NOTE_SAVED = "🔒 บันทึกภายในแล้ว ผู้ร้องไม่เห็นข้อความนี้ · Note saved; the citizen does not see it."


def unknown_status(arg: str) -> str:
    return f"ไม่รู้จักสถานะ «{arg}» · Unknown status «{arg}».\n"


MERGE_NEEDS_REF = (
    "การรวมเรื่องต้องระบุเรื่องหลัก ใช้ /รวมเรื่อง <เลขที่เรื่อง> ไม่มีการเปลี่ยนแปลง\n"
    "Merging needs the case to merge into: use /merge <ref>; nothing changed."
)


def status_now(label: str, status: str) -> str:
    return f"สถานะ: {label} แจ้งผู้ร้องแล้ว · Status is now {status}; the citizen has been told."


def cannot_move(label: str, target: str) -> str:
    return (
        f"เปลี่ยนสถานะเป็น {label} ไม่ได้ ไม่มีการเปลี่ยนแปลง · Cannot move to {target}; nothing changed.\n"
    )


def status_summary(label: str, holder: str | None, allowed: str) -> str:
    return (
        f"สถานะปัจจุบัน · status: {label}; ผู้รับผิดชอบ · held by: {holder or 'ยังไม่มี · nobody'}\n"
        f"เปลี่ยนเป็นได้ · can move to: {allowed}"
    )


# -- status notices to the citizen -----------------------------------------------------------


def notice_status(status_th: str, status_en: str) -> tuple[str, str]:
    return f"สถานะเรื่องของท่าน: {status_th}", f"Status of your case: {status_en}"


STATUS_HINT_WAITING = "กรุณาตอบข้อความนี้พร้อมข้อมูลเพิ่มเติม · Please reply with the details we asked for."
STATUS_HINT_FORWARDED = (
    "เรื่องของท่านส่งต่อให้หน่วยงานที่รับผิดชอบแล้ว · Your case went to the agency in charge."
)
STATUS_HINT_CLOSED = "ขอบคุณที่แจ้งเรื่องกับศูนย์ดำรงธรรม · Thank you for contacting the centre."


def rating_invitation(ref: str, days: int) -> str:
    """Ends the resolved notice: the citizen's answers are read by `bots.citizen`."""
    return (
        'กรุณาให้คะแนนการให้บริการ 1–5 (5 = ดีมาก): ตอบเป็นตัวเลข หรือพิมพ์ "ให้คะแนน 5"\n'
        'Please rate our service 1–5 (5 = very good): reply with a digit, or "rate 5".\n'
        f'ยังไม่ได้รับการแก้ไข? พิมพ์ "เปิดเรื่องใหม่ {ref}" ภายใน {days} วัน · '
        f'Not solved? Send "reopen {ref}" within {days} days.'
    )


def room_status(ref: str, old_th: str, new_th: str, old: str, new: str, actor: str) -> str:
    return f"📌 {ref}: {old_th} → {new_th} ({old} → {new}) โดย · by {actor}"


# -- history, queue, whoami ------------------------------------------------------------------

DIRECTION_LABEL = {
    "citizen": "ผู้ร้อง · citizen",
    "agent": "เจ้าหน้าที่ · agent",
    "note": "🔒 บันทึกภายใน · note",
    "system": "แจ้งผู้ร้อง · notice",
}


def history_title(ref: str, label: str, holder: str | None) -> str:
    return f"ประวัติเรื่อง · history of {ref} — {label}, ผู้รับผิดชอบ · held by {holder or '—'}"


def history_rating(score: int) -> str:
    return f"⭐ คะแนนจากผู้ร้อง · citizen's rating: {score}/5"


def history_transcript(shown: int, total: int) -> str:
    return f"── บทสนทนา · transcript ({shown}/{total}) ──"


def history_audit(shown: int, total: int) -> str:
    return f"── การดำเนินการ · audit log ({shown}/{total}) ──"


def history_others(count: int) -> str:
    return f"── เรื่องก่อนหน้าของผู้ร้อง · citizen's other cases ({count}) ──"


OTHER_CENTRE = "ศูนย์ · centre"
NONE = "ไม่มี · none"


def queue_title(name: str, centre: str, waiting: int, held: int) -> str:
    return f"คิว {name} · queue of {centre}: รอรับ {waiting} · waiting, มีผู้ดูแล {held} · held"


QUEUE_WAITING = "รอรับเรื่อง · waiting"
QUEUE_HELD = "มีผู้ดูแล · held"


def queue_more(count: int) -> str:
    return f"… และอีก {count} เรื่อง · and more"


def whoami_title(actor: str, count: int) -> str:
    return f"เรื่องที่ท่านดูแลอยู่ · open cases held by {actor}: {count}"


WHOAMI_NONE = "ท่านยังไม่มีเรื่องที่ดูแลอยู่ · You hold no open case."
