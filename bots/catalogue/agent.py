"""What one agent (or another staff account) reads in a chat with a case address, outside
the agent commands' own answers (those are in `bots/agent_commands/texts.py`). Thai first."""

from __future__ import annotations

from bots.catalogue._entry import entry

# -- the citizen's messages to the agent holding the case (bots.relay) ---------------------

entry("agent.citizen_wrote", "[{ref}] ผู้ร้อง: {body}", None, "{th}")
entry("agent.citizen_sent_file", "[{ref}] ผู้ร้องส่งไฟล์:", None, "{th}")

# -- routing (bots.routing) -------------------------------------------------------------

entry("agent.urgent_mark", "🚨 ด่วน", "URGENT", "{th} · {en} ")
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
