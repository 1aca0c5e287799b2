"""What a citizen reads: the bot's answers at a centre address, at `bot.D` and at a case
address, notices of the relay and of the connection. Thai first, English after."""

from __future__ import annotations

from bots.catalogue._entry import entry

EMERGENCY_TH = "เหตุด่วนเหตุร้าย โทร 191 · เจ็บป่วยฉุกเฉิน 1669 · ไฟไหม้ 199"

# -- a new report ------------------------------------------------------------------------

entry(
    "citizen.emergency",
    f"⚠️ หากมีอันตรายต่อชีวิตขณะนี้ {EMERGENCY_TH}",
    "Emergency: police 191, ambulance 1669, fire 199.",
)
# `warning`: "" or citizen.emergency followed by a blank line.
entry(
    "citizen.case_opened",
    "{centre_th}ได้รับเรื่องของท่านแล้ว\n"
    "เลขที่เรื่อง: {ref}\n"
    "รหัสติดตาม (PIN): {pin}\n"
    "เจ้าหน้าที่จะตอบกลับในแชทนี้ ท่านส่งข้อมูลเพิ่มเติมได้ที่นี่เลย\n"
    'ตรวจสอบสถานะได้ทุกเวลา พิมพ์ "สถานะ {ref}" หรือโทร 1567',
    "{centre_en} has received your report. Case number {ref}, PIN {pin}. "
    "Staff will reply in this chat; you can add details here.",
    "{warning}{th}\n\n{en}",
)
# `why`: "" or " (<urgent reason>)".
entry(
    "citizen.urgent_follow_up",
    "ข้อความของท่านถูกเพิ่มในเรื่อง {ref} และแจ้งเจ้าหน้าที่แล้วว่าเป็นเหตุด่วน{why}",
    "Your message was added to case {ref} and flagged to staff as urgent.",
    "{emergency}\n{th}\n{en}",
)
entry(
    "citizen.need_detail",
    "ขอรายละเอียดเพิ่มอีกนิด: เกิดเรื่องอะไร ที่ไหน (จังหวัด อำเภอ) เมื่อไหร่ แล้วส่งมาในแชทนี้ได้เลย",
    "Please tell us a little more: what happened, where (province, district) and when.",
)
entry(
    "citizen.greeting",
    "สวัสดีค่ะ ศูนย์ดำรงธรรมยินดีรับเรื่องของท่าน เล่าได้เลยว่าเกิดอะไรขึ้น ที่ไหน (จังหวัด อำเภอ)"
    " เมื่อไหร่ ส่งรูปประกอบได้ · เหตุฉุกเฉิน โทร 191 ตำรวจ, 1669 เจ็บป่วย, 199 ไฟไหม้",
    "Hello! Tell us what happened, where (province, district) and when; photos help. "
    "In an emergency call 191 (police), 1669 (medical), 199 (fire).",
)
entry(
    "citizen.need_province",
    'กรุณาระบุจังหวัดที่เกิดเหตุ เช่น "จ.เชียงราย" แล้วส่งเรื่องอีกครั้ง '
    "หรือส่งถึงศูนย์ของจังหวัดโดยตรง เช่น chiangrai@{domain} · โทร 1567",
    "Please name the province (e.g. Chiang Rai) and send again, or write to the "
    "province's centre directly, e.g. chiangrai@{domain}.",
)
entry(
    "citizen.no_centre_for",
    "ยังไม่มีศูนย์ดำรงธรรมของจังหวัดนี้ ({iso}) ในระบบนี้ กรุณาโทร 1567 "
    "หรือส่งถึงศูนย์จังหวัดใกล้เคียง เช่น nonthaburi@{domain}",
    "This province's centre is not on this service yet: call 1567.",
)
entry(
    "citizen.unknown_centre",
    'ไม่พบศูนย์ดำรงธรรมที่ชื่อ "{local}" ข้อความนี้ยังไม่ถูกบันทึก\n'
    "กรุณาส่งถึงศูนย์ของจังหวัดท่าน เช่น chiangrai@{domain} "
    "หรือส่งถึง {domain} แล้วระบุจังหวัด หรือโทร 1567",
    'No Damrongdham centre is called "{local}"; nothing was recorded. '
    "Write to your province's centre (e.g. chiangrai@{domain}) or to {domain}.",
)
entry(
    "citizen.not_served",
    "ศูนย์ {slug} ยังไม่เปิดรับเรื่องทางช่องทางนี้ ข้อความนี้ยังไม่ถูกบันทึก "
    "กรุณาส่งถึงศูนย์ดำรงธรรมจังหวัดของท่าน หรือโทร 1567",
    "The centre {slug} does not take reports on this service yet; nothing was recorded. "
    "Write to your province's centre or call 1567.",
)
entry(
    "citizen.empty_message",
    "ข้อความว่าง กรุณาพิมพ์รายละเอียดเรื่องที่ต้องการแจ้ง",
    "Your message was empty: please type what you want to report.",
)
entry(
    "citizen.too_long",
    "ข้อความยาวเกินไป ({got:,} ตัวอักษร สูงสุด {limit:,}) ข้อความนี้ยังไม่ถูกบันทึก กรุณาแบ่งส่งเป็นหลายข้อความ",
    "Your message is too long ({got:,} characters, at most {limit:,}) and was not "
    "recorded: please send it in several parts.",
)

# -- flood control and faults (bots.throttle, bridge.connection, bridge.component) -----------

entry(
    "citizen.slowed",
    "ท่านส่งข้อความเร็วมาก ระบบจะบันทึกทุกข้อความตามลำดับแต่ช้าลง ไม่ต้องส่งซ้ำ",
    "You are sending very fast: every message will be recorded, in order, more slowly. "
    "No need to send again.",
)
entry(
    "citizen.refused",
    "ข้อความมากเกินไปในเวลาสั้น ๆ ข้อความนี้ไม่ถูกบันทึก กรุณารอสักครู่แล้วส่งใหม่",
    "Too many messages in a short time: this one was not recorded. "
    "Please wait a minute and send it again.",
)
entry(
    "citizen.fault_send_again",
    "ขออภัย ระบบขัดข้องชั่วคราว กรุณาส่งอีกครั้งหรือโทร 1567",
    "Sorry, a temporary fault: please send again or call 1567.",
)
entry(
    "citizen.fault_kept",
    "ได้รับข้อความของท่านแล้ว ระบบกำลังบันทึก จะตอบกลับโดยอัตโนมัติ ไม่ต้องส่งซ้ำ",
    "We have your message; the system is catching up and will answer by itself. "
    "No need to send it again.",
)
# At a case address (citizen or agent): the shorter one-line forms.
entry(
    "citizen.case_fault_send_again",
    "ขออภัย ระบบขัดข้องชั่วคราว กรุณาส่งอีกครั้ง",
    "Temporary fault, please resend.",
    "{th} · {en}",
)
entry(
    "citizen.case_fault_kept",
    "ได้รับข้อความแล้ว ระบบกำลังบันทึก จะส่งต่อให้โดยอัตโนมัติ ไม่ต้องส่งซ้ำ",
    "Received; the system is catching up and will deliver it. No need to resend.",
    "{th} · {en}",
)

# -- at a case address (bots.relay) ------------------------------------------------------

entry("citizen.unknown_case", "ไม่พบเรื่องเลขที่ {ref}", "No case {ref} exists.", "{th} · {en}")
entry(
    "citizen.empty_or_long",
    "ข้อความว่างหรือยาวเกิน {limit:,} ตัวอักษร จึงไม่ถูกส่ง",
    "Empty messages and messages over {limit:,} characters are not relayed.",
)
entry(
    "citizen.not_allowed",
    "ท่านไม่มีสิทธิ์ในเรื่อง {ref} ข้อความนี้ไม่ถูกส่ง",
    "You are not a party to case {ref}; your message was not delivered.",
)
entry(
    "citizen.anon_hint",
    "หากท่านเป็นผู้แจ้งเรื่อง {ref} แบบไม่ระบุตัวตน ส่ง «PIN 123456» (รหัส PIN ของเรื่อง) มาที่อยู่นี้เพื่อกลับมาคุยต่อ",
    "If you sent tip {ref} anonymously, write «PIN 123456» (the case's PIN) to this "
    "address to continue the conversation.",
)
entry(
    "citizen.reattached",
    "ยืนยัน PIN แล้ว ท่านคุยต่อในเรื่องนี้ได้ที่อยู่นี้ ตัวตนของท่านไม่ถูกบันทึก",
    "PIN accepted: continue case {ref} at this address. Your identity is not recorded.",
    "[{ref}] {th}\n{en}",
)
entry(
    "citizen.wrong_pin", "PIN ไม่ถูกต้อง", "Wrong PIN.", "[{ref}] {th} · {en}"
)
# Too many wrong PINs (`casestore.pin_guard`): `minutes` to wait before the next try.
entry(
    "citizen.pin_wait",
    "ลอง PIN หลายครั้งเกินไป กรุณารอ {minutes} นาทีแล้วลองใหม่",
    "Too many PIN attempts: try again in {minutes} min.",
    "[{ref}] {th} · {en}",
)
entry(
    "citizen.queued",
    "ขณะนี้ไม่มีเจ้าหน้าที่ออนไลน์ เรื่องเลขที่ {ref} ของท่านอยู่ในคิวแล้ว ไม่สูญหาย "
    "เจ้าหน้าที่จะตอบเมื่อศูนย์ฯ เปิดทำการ (วันราชการ 08:30–16:30 น.) "
    "กรณีเร่งด่วนโทร 1567 หรือ 191",
    "No agent is on duty right now. Your case {ref} is queued and will not be lost; "
    "the centre will answer when it opens (working days 08:30–16:30). "
    "Urgent: call 1567 or 191.",
    "[{ref}] {signature}\n{th}\n{en}",
)

# -- citizens' commands (bots.citizen, answered by bots.intake) --------------------------

# `merged`: "" or citizen.continued_under.
entry(
    "citizen.case_status",
    ("เรื่องเลขที่ {ref}", "สถานะ: {status_th}", "อัปเดตล่าสุด", "เวลาประเทศไทย", "ศูนย์"),
    ("case {ref}", "status: {status_en}", "last update: {when}", "Thai time", "centre"),
    "{th[0]} · {en[0]}\n"
    "{th[1]} · {en[1]}\n"
    "{th[2]} · {en[2]} ({th[3]} · {en[3]})\n"
    "{th[4]} · {en[4]}: {centre_th} · {centre_en}{merged}",
)
entry(
    "citizen.continued_under",
    "ดำเนินการต่อในเรื่อง",
    "continued under {into}",
    "\n{th} · {en}",
)
entry(
    "citizen.case_not_found",
    "ไม่พบเรื่องเลขที่ {ref} ของท่าน กรุณาตรวจสอบเลขที่เรื่อง หรือโทร 1567",
    "No case {ref} of yours was found. Please check the reference, or call 1567.",
)
entry(
    "citizen.no_open_cases",
    ("ท่านไม่มีเรื่องที่กำลังดำเนินการ", 'ดูเรื่องที่ปิดแล้ว พิมพ์ "สถานะ <เลขที่เรื่อง>"'),
    ("You have no open case.", "For a closed case: status <ref>."),
    "{th[0]} · {en[0]}\n{th[1]} · {en[1]}",
)
# `cases`: one line per case, "• REF · สถานะ (status) · YYYY-MM-DD HH:MM · ศูนย์".
entry(
    "citizen.open_cases",
    ("เรื่องของท่านที่กำลังดำเนินการ", 'รายละเอียด พิมพ์ "สถานะ <เลขที่เรื่อง>"'),
    ("your open cases ({count}):", "Details: status <ref>."),
    "{th[0]} · {en[0]}\n{cases}\n{th[1]} · {en[1]}",
)
entry(
    "citizen.rating_thanks",
    "ขอบคุณสำหรับคะแนน {score}/5 สำหรับเรื่อง {ref}",
    "Thank you for rating case {ref} {score}/5.",
    "{th} · {en}",
)
entry(
    "citizen.rating_range",
    'คะแนนต้องเป็น 1 ถึง 5 เช่น "ให้คะแนน 4"',
    'A rating is 1 to 5, e.g. "rate 4".',
    "{th} · {en}",
)
entry(
    "citizen.nothing_to_rate",
    ("ยังไม่มีเรื่องที่แก้ไขแล้วให้ประเมิน", 'ระบุเลขที่เรื่องได้ เช่น "ให้คะแนน 4 TH57-2569-000001"'),
    ("You have no resolved case to rate.", "Or name it: rate 4 <ref>."),
    "{th[0]} · {en[0]}\n{th[1]} · {en[1]}",
)
entry(
    "citizen.not_ratable",
    "เรื่อง {ref} ยัง{status_th} ให้คะแนนได้เมื่อแก้ไขแล้ว",
    "Case {ref} is {status_en}; it can be rated once resolved.",
    "{th} · {en}",
)
entry(
    "citizen.nothing_to_reopen",
    'ไม่พบเรื่องที่เปิดใหม่ได้ ระบุเลขที่เรื่อง เช่น "เปิดเรื่องใหม่ TH57-2569-000001"',
    "No case to reopen: name it, e.g. reopen TH57-2569-000001.",
)
entry(
    "citizen.not_reopenable",
    "เรื่อง {ref} {status_th} จึงเปิดใหม่ไม่ได้",
    "Case {ref} is {status_en} and cannot be reopened.",
    "{th} · {en}",
)
entry(
    "citizen.reopen_too_late",
    "เรื่อง {ref} แก้ไขแล้วเกิน {days} วัน เปิดใหม่ไม่ได้ กรุณาแจ้งเป็นเรื่องใหม่ในแชทนี้",
    "Case {ref} was resolved more than {days} days ago and cannot be reopened; "
    "please report it again here as a new case.",
)
entry(
    "citizen.reopened",
    "สถานะเรื่องของท่าน: {status_th} เจ้าหน้าที่จะติดต่อกลับในแชทนี้",
    "Status of your case: {status_en}; staff will answer in this chat.",
    "[{ref}] {centre_th}\n{th}\n{en}",
)

# -- notices of the agent commands (bots.agent_commands) -----------------------------------

# A status change. `more`: "" or a new line and the further lines (the agent's text such as
# citizen.forwarded_to, a citizen.hint_*, citizen.rating_invitation).
entry(
    "citizen.status_notice",
    "สถานะเรื่องของท่าน: {status_th}",
    "Status of your case: {status_en}",
    "[{ref}] {signature}\n{th}\n{en}{more}",
)
entry(
    "citizen.hint_waiting",
    "กรุณาตอบข้อความนี้พร้อมข้อมูลเพิ่มเติม",
    "Please reply with the details we asked for.",
    "{th} · {en}",
)
entry(
    "citizen.hint_forwarded",
    "เรื่องของท่านส่งต่อให้หน่วยงานที่รับผิดชอบแล้ว",
    "Your case went to the agency in charge.",
    "{th} · {en}",
)
entry(
    "citizen.hint_closed",
    "ขอบคุณที่แจ้งเรื่องกับศูนย์ดำรงธรรม",
    "Thank you for contacting the centre.",
    "{th} · {en}",
)
# Ends the resolved notice: the citizen's answers are read by `bots.citizen`.
entry(
    "citizen.rating_invitation",
    (
        'กรุณาให้คะแนนการให้บริการ 1–5 (5 = ดีมาก): ตอบเป็นตัวเลข หรือพิมพ์ "ให้คะแนน 5"',
        'ยังไม่ได้รับการแก้ไข? พิมพ์ "เปิดเรื่องใหม่ {ref}" ภายใน {days} วัน',
    ),
    (
        'Please rate our service 1–5 (5 = very good): reply with a digit, or "rate 5".',
        'Not solved? Send "reopen {ref}" within {days} days.',
    ),
    "{th[0]}\n{en[0]}\n{th[1]} · {en[1]}",
)
entry("citizen.forwarded_to", "ส่งต่อ{name_th}", "forwarded to the {name_en}", "{th} · {en}")
# Never the agent's reason: it is written for colleagues (room, history, dashboard only).
entry(
    "citizen.transferred",
    (
        "เรื่องของท่านถูกโอนจาก{old_th} ไปยัง{new_th} เลขที่เรื่องยังคงเป็น {ref}",
        "ตอบกลับที่นี่ได้ตามปกติ",
    ),
    (
        "Your case moved from the {old_en} to the {new_en}; its reference stays {ref}.",
        "Reply here as before",
    ),
    "[{ref}] {new_th}\n{th[0]}\n{en[0]}\n{th[1]} · {en[1]}: xmpp:{case_jid}",
)
# `ref`: the duplicate, closed; `into`: the case kept (`case_jid` its address).
entry(
    "citizen.merged",
    "เรื่อง {ref} ซ้ำกับเรื่อง {into} ของท่าน จึงรวมไว้ด้วยกัน เราดำเนินการต่อในเรื่อง {into}",
    "Your case {ref} repeats your case {into}, so they were merged; "
    "we continue under {into}: xmpp:{case_jid}",
    "[{ref}] {signature}\n{th}\n{en}",
)

# -- the case moved to a centre of a federated peer server (bridge.component) ---------------

entry(
    "citizen.moved_to_peer",
    "เรื่องของท่านถูกโอนไปยัง{centre_th} (เซิร์ฟเวอร์ {peer}) เลขที่เรื่องยังคงเป็น {ref} "
    "โปรดส่งข้อความเกี่ยวกับเรื่องนี้ต่อที่ {case_jid}",
    "Your case moved to the {centre_en} (server {peer}); its reference stays {ref}. "
    "Please write about it to {case_jid} from now on.",
    "[{ref}] {centre_th}\n{th}\n{en}",
)
