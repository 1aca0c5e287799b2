"""What one agent (or another staff account) reads in a chat with a case address or privately
from the bot: the relay's and routing's lines and the agent commands' own answers
(`bots.agent_commands`). Thai first."""

from __future__ import annotations

from bots.catalogue._entry import entry

# -- the citizen's messages to the agent holding the case (bots.relay) ---------------------

entry("agent.citizen_wrote", "[{ref}] ผู้ร้อง: {body}", None, "{th}")
entry("agent.citizen_sent_file", "[{ref}] ผู้ร้องส่งไฟล์:", None, "{th}")

# -- routing (bots.routing) -------------------------------------------------------------

entry("agent.urgent_mark", "🚨 ด่วน", "URGENT", "{th} · {en} ")
entry("agent.hazard_mark", "⚠️ อันตราย", "HAZARD", "{th} · {en} ")
# `urgent`: "" or agent.urgent_mark; `summary`: clipped.
entry(
    "agent.case_offered",
    (
        "เรื่องใหม่มอบให้ท่าน (ท่านสถานะว่าง)",
        "ตอบข้อความนี้เพื่อคุยกับผู้ร้อง",
        "คำสั่ง",
        "ส่งต่อเพื่อน",
    ),
    (
        "a new case for you (you are available)",
        "reply here to talk to the citizen",
        "commands",
        "to hand it to a colleague",
    ),
    "[{ref}] 📥 {urgent}{th[0]} · {en[0]}\n{summary}\n"
    "{th[1]} · {en[1]}; /help {th[2]} · {en[2]}; /assign <ชื่อ> {th[3]} · {en[3]}",
)
entry(
    "agent.went_away",
    "ท่านไม่อยู่ เรื่องนี้กลับเข้าคิวแล้ว",
    "you went away; this case went back to the queue.",
    "[{ref}] ↩️ {th} · {en}",
)

# -- refusals (bots.relay, bots.intake, bridge.component) ----------------------------------

entry(
    "agent.other_centre",
    "เรื่อง {ref} เป็นของศูนย์ดำรงธรรม {centre} ท่านไม่ใช่เจ้าหน้าที่ของศูนย์นี้ ข้อความหรือคำสั่งนี้ไม่ถูกดำเนินการ",
    "Case {ref} belongs to centre {centre} and you are not one of its agents; "
    "nothing was done or sent.",
)
entry(
    "agent.anon_merge_refused",
    "เรื่อง {ref} เป็นเรื่องแจ้งแบบไม่ระบุตัวตน ไม่สามารถรวมกับเรื่องอื่นได้ ไม่มีการเปลี่ยนแปลง",
    "Case {ref} is an anonymous tip: anonymous tips are never merged (two tips may come "
    "from two different people). Nothing changed.",
)
# Staff writing to a centre address or bot.D (those are the citizens' addresses).
entry(
    "agent.not_citizen_address",
    "ที่อยู่นี้สำหรับประชาชนแจ้งเรื่อง เจ้าหน้าที่ตอบเรื่องได้ที่ที่อยู่ของเรื่อง (เช่น th57-2569-000001@bot...)",
    "This address is for citizens. Staff answer a case at the case's own address.",
)
entry("agent.room_command_fault", "ขออภัย ระบบขัดข้องชั่วคราว", "Temporary fault.", "{th} · {en}")

# -- /transfer to a centre of a federated peer server (bots.agent_commands.transfer, done
# by bridge.component with bridge.federation) ------------------------------------------------

entry(
    "agent.transfer_not_a_peer",
    "«{word}» เป็นศูนย์บนเซิร์ฟเวอร์อื่น ({domain}) ซึ่งไม่ได้เชื่อมต่อ (federation) กับ {ours} "
    "ไม่มีการเปลี่ยนแปลง เซิร์ฟเวอร์ที่โอนเรื่องไปได้: {peers}",
    "«{word}» is a centre of another server ({domain}), which is not a federated peer of {ours}. "
    "Nothing changed. Servers cases can move to: {peers}",
)
entry(
    "agent.remote_transfer_sending",
    "กำลังส่งเรื่องไปยัง {target} รอเซิร์ฟเวอร์ปลายทางตอบรับ",
    "Sending the case to {target}; waiting for that server to accept it.",
    "{th} · {en}",
)
entry(
    "agent.remote_transfer_done",
    "โอนเรื่องไป {target} แล้ว เซิร์ฟเวอร์ปลายทางรับเรื่องไว้แล้ว แจ้งผู้ร้องแล้ว "
    "ท่านไม่ได้เป็นผู้รับผิดชอบเรื่องนี้แล้ว",
    "Transferred to {target}: that server has stored the case and the citizen has been told. "
    "You are no longer an agent of this case.",
)
entry(
    "agent.remote_transfer_refused",
    "โอนเรื่องไป {target} ไม่สำเร็จ ({error}) ไม่มีการเปลี่ยนแปลง เรื่องยังอยู่ที่ศูนย์นี้",
    "The transfer to {target} failed ({error}). Nothing changed: the case stays here.",
)

# -- audit notes shown by /history ---------------------------------------------------------

entry("agent.note_reopened_by_citizen", "เปิดใหม่โดยผู้ร้อง", "reopened by the citizen", "{th} · {en}")

# -- the agent commands: syntax and help (bots.agent_commands.syntax, .room) ----------------

entry(
    "agent.argument_missing",
    "คำสั่ง /{thai} ต้องมี {usage_th} เช่น /{thai} {usage_th}",
    "/{name} needs {usage_en}: /{name} {usage_en}",
)
entry(
    "agent.argument_not_taken",
    ("คำสั่ง /{thai} ไม่ต้องมีข้อความต่อท้าย", "ถ้าต้องการส่งข้อความนี้ถึงผู้ร้อง ให้ขึ้นต้นด้วย //"),
    ("/{name} takes no argument.", "To send it to the citizen as text, start it with //."),
    "{th[0]} · {en[0]}\n{th[1]} · {en[1]}",
)
entry(
    "agent.unknown_command",
    "ไม่รู้จักคำสั่ง «{word}» พิมพ์ /ช่วยเหลือ เพื่อดูคำสั่ง ข้อความนี้ไม่ถูกส่งถึงผู้ร้อง",
    "Unknown command «{word}»; /help lists them. Nothing was sent to the citizen. "
    "To send text that starts with / or !, double it: //text.",
)
# `commands`: one help line per command; `statuses`: "new (ใหม่), …".
entry(
    "agent.help",
    (
        "คำสั่งสำหรับเจ้าหน้าที่ (ขึ้นต้นด้วย / หรือ !)",
        "ข้อความอื่นทั้งหมดส่งถึงผู้ร้องในนามศูนย์ฯ; //ข้อความ ส่ง /ข้อความ ตามตัวอักษร",
        "สถานะ",
    ),
    (
        "Agent commands (start with / or !):",
        "Anything else goes to the citizen, signed by the centre; //text sends /text as is.",
        "statuses",
    ),
    "{th[0]} · {en[0]}\n{commands}\n{th[1]}\n{en[1]}\n{th[2]} · {en[2]}: {statuses}",
)
entry(
    "agent.room_help",
    (
        "คำสั่งในห้องศูนย์ฯ ใส่เลขที่เรื่องต่อจากคำสั่ง",
        "ถ้าแอปใช้ / เป็นคำสั่งของแอปเอง ให้ใช้ ! แทน",
        "คำสั่งทั้งหมดพิมพ์ /help ในแชตของเรื่อง",
    ),
    (
        "In the room, put the case reference after the command:",
        "If your app takes /words itself, use ! instead (!claim …).",
        "Every command: /help in a case's chat.",
    ),
    "{th[0]} · {en[0]}\n{commands}\n{th[1]} · {en[1]}\n{th[2]} · {en[2]}",
)
entry(
    "agent.need_ref",
    "ในห้องศูนย์ฯ ต้องระบุเลขที่เรื่อง เช่น /{name} TH57-2569-000001 ไม่มีการเปลี่ยนแปลง",
    "In the room, name the case: /{name} TH57-2569-000001. Nothing was done.",
)

# -- /claim, /assign -----------------------------------------------------------------------

entry("agent.already_yours", "ท่านรับเรื่องนี้ไว้แล้ว", "You already hold this case.", "{th} · {en}")
entry("agent.claimed", "ท่านรับเรื่องนี้แล้ว", "You now hold this case.", "{th} · {en}")
entry(
    "agent.claimed_by_other",
    "เรื่องนี้ {agent} รับไว้แล้ว ไม่มีการเปลี่ยนแปลง",
    "Already claimed by {agent}; nothing changed.",
)
entry(
    "agent.no_agent",
    "ไม่พบเจ้าหน้าที่ «{arg}» ของศูนย์นี้ ไม่มีการเปลี่ยนแปลง",
    "No agent «{arg}» in this centre; nothing changed. "
    "Use a JID or the name part of <name>.{centre}@{domain}.",
)
entry(
    "agent.already_holds",
    "เรื่องนี้อยู่กับ {target} อยู่แล้ว",
    "{target} already holds this case.",
    "{th} · {en}",
)
entry("agent.assigned", "มอบหมายให้ {target} แล้ว", "Assigned to {target}.", "{th} · {en}")
# To the new holder, from the case address.
entry(
    "agent.assigned_to_you",
    "มอบหมายเรื่องนี้ให้ท่าน",
    "assigned this case to you.",
    "[{ref}] {agent} {th} · {en}\n{summary}\nxmpp:{case_jid}?message",
)

# -- /transfer -----------------------------------------------------------------------------

entry(
    "agent.transfer_no_centre",
    "ไม่พบศูนย์ «{word}» ไม่มีการเปลี่ยนแปลง ใช้ชื่อย่อของศูนย์ เช่น chiangmai, chiangrai-maesai, moi หรือชื่อจังหวัด",
    "No centre «{word}»; nothing changed. "
    "Use a centre slug (chiangmai, chiangrai-maesai, moi) or a province name.",
)
entry(
    "agent.transfer_already_at",
    "เรื่องนี้อยู่ที่ {name_th} อยู่แล้ว",
    "The case is already at {slug}.",
    "{th} · {en}",
)
entry(
    "agent.transfer_not_served",
    "ศูนย์ {name_th} ยังไม่เปิดให้บริการบนระบบนี้ ไม่มีการเปลี่ยนแปลง",
    "{name_en} ({slug}) has no room on this server; nothing changed.",
)
entry(
    "agent.transfer_not_open",
    "เรื่องนี้{status_th} โอนไม่ได้ (เปิดใหม่ก่อนด้วย /เปิดใหม่)",
    "A {status} case cannot be transferred; /reopen it first.",
)
entry(
    "agent.transferred",
    "โอนเรื่องไป{name_th}แล้ว แจ้งผู้ร้องแล้ว",
    "Transferred to {slug}; the citizen has been told. You are no longer an agent of this case.",
    "{th} · {en}",
)

# -- /forward ------------------------------------------------------------------------------

# `known`: "id (ชื่อ), …" or —.
entry(
    "agent.no_agency",
    ("ไม่พบหน่วยงาน «{word}» ไม่มีการเปลี่ยนแปลง", "หน่วยงาน"),
    ("No agency «{word}»; nothing changed.", "agencies"),
    "{th[0]} · {en[0]}\n{th[1]} · {en[1]}: {known}",
)
entry(
    "agent.forwarded",
    "ส่งต่อ{name_th}แล้ว แจ้งผู้ร้องแล้ว กำลังนำส่ง (คิว #{row})",
    "Forwarded to {agency}; the citizen has been told; delivery queued as #{row}.",
)
# The agency has no endpoint configured: the row waits in the outbox.
entry(
    "agent.forwarded_pending",
    ("ส่งต่อ{name_th}แล้ว แจ้งผู้ร้องแล้ว กำลังนำส่ง (คิว #{row})", "ยังไม่ได้ตั้งปลายทาง รอในคิว"),
    (
        "Forwarded to {agency}; the citizen has been told; delivery queued as "
        "#{row} (no endpoint configured yet).",
        "endpoint not set: it waits",
    ),
    "{th[0]} ({th[1]} · {en[1]})\n{en[0]}",
)

# -- /merge --------------------------------------------------------------------------------

# `problem`: one of the agent.merge_* refusals below.
entry("agent.nothing_changed", "ไม่มีการเปลี่ยนแปลง", "Nothing changed.", "{problem}\n{th} · {en}")
entry("agent.merge_no_case", "ไม่พบเรื่องเลขที่ «{arg}»", "No case «{arg}»", "{th} · {en}")
entry(
    "agent.merge_itself",
    "รวมเรื่องเข้ากับตัวเองไม่ได้",
    "A case cannot be merged into itself",
    "{th} · {en}",
)
entry(
    "agent.merge_other_citizen",
    "{ref} เป็นเรื่องของผู้ร้องคนอื่น",
    "{ref} is another citizen's case",
    "{th} · {en}",
)
entry(
    "agent.merge_other_centre",
    "{ref} อยู่ที่ศูนย์ {centre}",
    "{ref} is at centre {centre}; transfer one of them first",
    "{th} · {en}",
)
entry(
    "agent.merge_keep_not_open",
    "{ref} {status_th}แล้ว",
    "{ref} is {status}; reopen it first",
    "{th} · {en}",
)
entry(
    "agent.merged",
    "รวมเข้ากับ {into} แล้ว แจ้งผู้ร้องแล้ว",
    "Merged into {into}; the citizen has been told. Continue at xmpp:{case_jid}?message",
    "{th} · {en}",
)

# -- /reply --------------------------------------------------------------------------------

# `listing`: agent.canned_line lines, or —.
entry(
    "agent.canned_list",
    "ข้อความสำเร็จรูปของศูนย์",
    "canned replies of this centre",
    "{th} · {en}:\n{listing}",
)
entry("agent.canned_line", "/ตอบ {th_name}", "/reply {name}", "• {th} · {en} — {text}")
entry(
    "agent.no_canned",
    "ไม่พบข้อความสำเร็จรูป «{arg}» ไม่มีการส่ง",
    "No canned reply «{arg}»; nothing was sent.",
    "{th} · {en}\n{listing}",
)
entry(
    "agent.reply_not_open",
    "เรื่องนี้{status_th} ไม่มีการส่ง",
    "The case is {status}; nothing was sent.",
    "{th} · {en}",
)
entry("agent.canned_sent", "ส่ง «{th_name}» แล้ว", "Sent «{name}».", "{th} · {en}")

# -- /note, /status ------------------------------------------------------------------------

entry(
    "agent.note_saved",
    "บันทึกภายในแล้ว ผู้ร้องไม่เห็นข้อความนี้",
    "Note saved; the citizen does not see it.",
    "🔒 {th} · {en}",
)
# `summary`: agent.status_summary.
entry(
    "agent.unknown_status",
    "ไม่รู้จักสถานะ «{arg}»",
    "Unknown status «{arg}».",
    "{th} · {en}\n{summary}",
)
entry(
    "agent.merge_needs_ref",
    "การรวมเรื่องต้องระบุเรื่องหลัก ใช้ /รวมเรื่อง <เลขที่เรื่อง> ไม่มีการเปลี่ยนแปลง",
    "Merging needs the case to merge into: use /merge <ref>; nothing changed.",
)
entry(
    "agent.status_now",
    "สถานะ: {label} แจ้งผู้ร้องแล้ว",
    "Status is now {status}; the citizen has been told.",
    "{th} · {en}",
)
# `summary`: agent.status_summary.
entry(
    "agent.cannot_move",
    "เปลี่ยนสถานะเป็น {label} ไม่ได้ ไม่มีการเปลี่ยนแปลง",
    "Cannot move to {status}; nothing changed.",
    "{th} · {en}\n{summary}",
)
# `holder`: the holder's JID or agent.nobody; `allowed`: "in_progress (กำลังดำเนินการ), …" or —.
entry(
    "agent.status_summary",
    ("สถานะปัจจุบัน", "ผู้รับผิดชอบ", "เปลี่ยนเป็นได้"),
    ("status", "held by", "can move to"),
    "{th[0]} · {en[0]}: {label}; {th[1]} · {en[1]}: {holder}\n{th[2]} · {en[2]}: {allowed}",
)
entry("agent.nobody", "ยังไม่มี", "nobody", "{th} · {en}")

# -- /history ------------------------------------------------------------------------------

# `holder`: the holder's JID or —.
entry(
    "agent.history_title",
    ("ประวัติเรื่อง", "ผู้รับผิดชอบ"),
    ("history of", "held by"),
    "{th[0]} · {en[0]} {ref} — {label}, {th[1]} · {en[1]} {holder}",
)
entry("agent.history_rating", "คะแนนจากผู้ร้อง", "citizen's rating", "⭐ {th} · {en}: {score}/5")
entry("agent.history_transcript", "บทสนทนา", "transcript", "── {th} · {en} ({shown}/{total}) ──")
entry("agent.history_audit", "การดำเนินการ", "audit log", "── {th} · {en} ({shown}/{total}) ──")
entry(
    "agent.history_others",
    "เรื่องก่อนหน้าของผู้ร้อง",
    "citizen's other cases",
    "── {th} · {en} ({count}) ──",
)
entry("agent.history_other_centre", "ศูนย์", "centre", "{th} · {en} {centre}")
entry("agent.history_none", "ไม่มี", "none", "{th} · {en}")
# Who wrote a transcript line.
entry("agent.from_citizen", "ผู้ร้อง", "citizen", "{th} · {en}")
entry("agent.from_agent", "เจ้าหน้าที่", "agent", "{th} · {en}")
entry("agent.from_note", "บันทึกภายใน", "note", "🔒 {th} · {en}")
entry("agent.from_system", "แจ้งผู้ร้อง", "notice", "{th} · {en}")

# -- /queue -----------------------------------------------------------------------------

# `name`: the centre's Thai name; `centre`: its slug.
entry(
    "agent.queue_title",
    ("คิว {name}", "รอรับ {waiting}", "มีผู้ดูแล {held}"),
    ("queue of {centre}", "waiting", "held"),
    "{th[0]} · {en[0]}: {th[1]} · {en[1]}, {th[2]} · {en[2]}",
)
entry("agent.queue_waiting", "รอรับเรื่อง", "waiting", "{th} · {en}")
entry("agent.queue_held", "มีผู้ดูแล", "held", "{th} · {en}")
entry("agent.queue_more", "และอีก {count} เรื่อง", "and more", "… {th} · {en}")
