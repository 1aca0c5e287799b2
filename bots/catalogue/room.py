"""What a centre's room reads: new cases, citizens' follow-ups, routing, deliveries, urgent
re-announcements and the service-target (SLA) flags and escalations. Thai first.

Common fields: `ref` (TH57-2569-000001), `link` (xmpp:th57-2569-000001@bot.D?message),
`case_jid` (th57-2569-000001@bot.D)."""

from __future__ import annotations

from bots.catalogue._entry import entry

# -- new cases (bots.intake, bridge.component) ---------------------------------------------

entry("room.reply_link", "ตอบผู้ร้อง", "reply", "{th} / {en}: xmpp:{case_jid}?message")
# `evidence`: "" or room.evidence; `reply`: room.reply_link.
entry(
    "room.new_case",
    "🆕 เรื่องใหม่ {ref} · {type_th} · {topic_th}\n📍 {province}\n«{summary}»",
    None,
    "{th}{evidence}\n{reply}",
)
entry(
    "room.new_case_urgent",
    "🚨 ด่วน ({reason}) เรื่องใหม่ {ref} · {type_th} · {topic_th}\n📍 {province}\n«{summary}»",
    None,
    "{th}{evidence}\n{reply}",
)
entry(
    "room.new_case_hazard",
    "⚠️ อันตราย ({reason}) เรื่องใหม่ {ref} · {type_th} · {topic_th}\n📍 {province}\n«{summary}»",
    None,
    "{th}{evidence}\n{reply}",
)
entry("room.unknown_province", "ไม่ทราบจังหวัด", None, "{th}")
entry("room.evidence", "เหตุผลการจัดหมวด: {words}", None, "\n{th}")
# A case opened outside the chat (an agency's Open311 POST): the announcement, then the channel.
entry(
    "room.new_case_via",
    "📨 ทาง",
    "via {channel} ({source})",
    "{announcement}\n{th} · {en}",
)
# A case a federated peer server sent here (bridge.component): the announcement, then whence.
entry(
    "room.new_case_from_peer",
    "📨 โอนมาจากเซิร์ฟเวอร์",
    "transferred from server",
    "{announcement}\n{th} {peer} · {en} {peer}{why}",
)

# -- a citizen writes on a case nobody holds (bots.relay) ----------------------------------

entry("room.citizen_wrote", "💬 {ref} ผู้ร้องเขียนเพิ่ม: «{body}»", None, "{th}\n{reply}")
entry(
    "room.citizen_sent_file",
    "ผู้ร้องส่งไฟล์",
    "the citizen sent a file:",
    "💬 {ref} {th} · {en}\n{reply}",
)
# `change`: "" or " (new → assigned)".
entry(
    "room.claimed_by_replying",
    "รับเรื่องโดยการตอบ",
    "claimed by replying: {agent}{change}",
    "✋ {ref} {th} · {en}",
)

# -- the citizen's own commands (bots.intake) ----------------------------------------------

entry(
    "room.rated",
    "ผู้ร้องให้คะแนน",
    "rated by the citizen: {score}/5",
    "⭐ {ref} {th} · {en}",
)
entry(
    "room.reopened",
    ("ผู้ร้องขอเปิดเรื่องใหม่", "เปิดเรื่อง"),
    ("reopened by the citizen ({old} → reopened)", "open"),
    "🔁 {ref} {th[0]} · {en[0]}\n{th[1]} / {en[1]}: xmpp:{case_jid}?message",
)

# -- routing (bots.routing) -------------------------------------------------------------

entry(
    "room.auto_assigned",
    "มอบอัตโนมัติ",
    "auto-assigned to an available agent",
    "🤖 {ref} → {agent} ({th} · {en})",
)
entry(
    "room.back_in_queue",
    "กลับเข้าคิว",
    "back in the queue ({agent} is away)",
    "↩️ {ref} {th} · {en}",
)

# -- outbox (bridge.component) -------------------------------------------------------------

entry(
    "room.delivered",
    "ส่งถึง{agency_th}แล้ว",
    "delivered to {agency}",
    "📤 {ref} {th} · {en}",
)
entry(
    "room.delivered_with_ref",
    "ส่งถึง{agency_th}แล้ว",
    "delivered to {agency} (ref {agency_ref})",
    "📤 {ref} {th} · {en}",
)

# -- urgent cases nobody took (bots.urgent) ------------------------------------------------

# `why`: "" or " (<urgent reason>)"; `waited`: minutes.
entry(
    "room.urgent_unclaimed",
    ("ด่วน ยังไม่มีผู้รับเรื่อง", "รอมา", "นาที", "รับเรื่อง"),
    ("URGENT, still unclaimed: {ref}{why}", "waiting {waited}", "min", "claim"),
    "🚨🚨 {th[0]} · {en[0]} · {th[1]} · {en[1]} {th[2]} · {en[2]}\n«{summary}»\n"
    "{th[3]} / {en[3]}: xmpp:{case_jid}?message (/รับเรื่อง)",
)

# -- service targets (bots.sla) ------------------------------------------------------------
# `due`, `when`: "YYYY-MM-DD HH:MM" Thai time; `name`: the centre's Thai name, `own` its
# slug; `status`, `holder`: the case's status value and holder (or —); `since`: "" or
# room.sla_since.

entry(
    "room.sla_first_response",
    "เกินกำหนดตอบครั้งแรก ({days} วันทำการ ครบ {due})",
    "first response overdue (target {days} working day(s), due {due})",
    "⏰ {ref} {th} · {en}\n{link}",
)
# `escalation`: "", room.sla_escalated_to or room.sla_escalation_failed.
entry(
    "room.sla_resolution",
    "เกินกำหนดแก้ไข ({days} วันทำการ ครบ {due})",
    "resolution overdue (target {days} working days, due {due})",
    "⏰ {ref} {th} · {en}{escalation}\n{link}",
)
entry(
    "room.sla_escalated_to",
    "แจ้งระดับสูงขึ้นแล้ว",
    "escalated to {target}",
    " — {th} · {en}",
)
entry(
    "room.sla_escalation_failed",
    "ส่งต่อ {target} ไม่ได้",
    "could not escalate to {target} (no such room on this server)",
    " — {th} · {en}",
)
# Step 1 told in the case's own room when the resolution flag did not say it.
entry(
    "room.sla_step1_escalated",
    "เกินกำหนดแก้ไข",
    "resolution overdue — escalated to {target}",
    "⬆️ {ref} {th} · {en}\n{link}",
)
entry(
    "room.sla_step1_failed",
    "เกินกำหนดแก้ไข",
    "resolution overdue — could not escalate to {target}",
    "⬆️ {ref} {th} · {en}\n{link}",
)
entry(
    "room.sla_step1",
    "ของ{name} ({own}) เกินกำหนดแก้ไข {days} วันทำการ",
    "escalated from {own}: resolution overdue (due {due}), status {status}, held by {holder}",
    "⬆️ {ref} {th} · {en}\n{summary}\n{link}",
)
entry("room.sla_since", None, " since {when}", "{en}")  # inside English templates
entry(
    "room.sla_step2_reminder",
    "ของ{name} ({own}) ยังไม่แก้ไข — เตือนครั้งที่สอง",
    "reminder: escalated{since}, still unresolved after {days} more working days, "
    "status {status}, held by {holder}",
    "🔔 {ref} {th} · {en}\n{summary}\n{link}",
)
entry(
    "room.sla_step2_ministry",
    "ของ{name} ({own}) ยังไม่แก้ไข — ส่งถึงระดับกระทรวง",
    "escalated to the ministry from {own} via {province}: still unresolved "
    "{days} working days after escalation{since}, status {status}, held by {holder}",
    "⬆️⬆️ {ref} {th} · {en}\n{summary}\n{link}",
)
# What the case's own room (and, with `here`, the province room of step 1) is told of step 2.
# `here`: "" or room.sla_escalated_here.
entry(
    "room.sla_step2_reminder_sent",
    "ยังไม่แก้ไข — เตือน {target} อีกครั้งแล้ว",
    "still unresolved {days} working days after escalation: reminder sent to {target}",
    "🔔 {ref} {th} · {en}{here}\n{link}",
)
entry(
    "room.sla_step2_ministry_told",
    "ยังไม่แก้ไข — ส่งถึงระดับกระทรวงแล้ว",
    "still unresolved {days} working days after escalation to {province}: escalated to {target}",
    "⬆️⬆️ {ref} {th} · {en}{here}\n{link}",
)
entry("room.sla_escalated_here", None, " (escalated here{since})", "{en}")  # English only
entry(
    "room.sla_step2_failed",
    "ของ{name} ({own}) ยังไม่แก้ไข {days} วันทำการหลังแจ้งระดับสูงขึ้น แต่ส่งถึงระดับกระทรวง ({target}) ไม่ได้",
    "still unresolved {days} working days after escalation{since}; the ministry step could "
    "not be reached (no {target} room on this server), status {status}, held by {holder}",
    "⚠️ {ref} {th} · {en}\n{link}",
)

# -- the agent commands (bots.agent_commands) ----------------------------------------------
# `agent`: who gave the command; `why`: "" or " — <the agent's text>".

entry("room.claimed", "รับเรื่องโดย", "claimed by {agent}", "✋ {ref} {th} · {en}")
entry(
    "room.assigned",
    ("มอบหมายให้", "โดย"),
    ("assigned to", "by"),
    "👉 {ref} {th[0]} · {en[0]} {target} {th[1]} · {en[1]} {agent}",
)
# `old`, `new`: status values; `old_th`, `new_th`: their Thai labels.
entry(
    "room.status_changed",
    "โดย",
    "by",
    "📌 {ref}: {old_th} → {new_th} ({old} → {new}) {th} · {en} {agent}{why}",
)
entry(
    "room.transferred_out",
    ("โอนไป", "โดย"),
    ("transferred to", "by"),
    "↪️ {ref} {th[0]} · {en[0]} {slug} ({name_th}) {th[1]} · {en[1]} {agent}{why}",
)
# In the room of the centre receiving the case. `urgent`: "" or agent.urgent_mark; `old`: the
# slug of the centre it came from; `kind`: type/topic; `status`: its status value.
entry(
    "room.transferred_in",
    ("โอนมาจาก", "โดย", "สถานะ", "เปิดเรื่อง"),
    ("transferred from", "by", "status", "open"),
    "📥 {urgent}{ref} {th[0]} · {en[0]} {old} {th[1]} · {en[1]} {agent}{why}\n"
    "{kind} · {th[2]} · {en[2]} {status}\n{summary}\n{th[3]} / {en[3]}: xmpp:{case_jid}?message",
)
# `old`: the duplicate's status value before the merge.
entry(
    "room.merged",
    ("รวมเข้ากับ", "โดย"),
    ("merged into", "by"),
    "🔗 {ref} {th[0]} · {en[0]} {into} ({old} → merged) {th[1]} · {en[1]} {agent}",
)

# -- a case sent to a centre of a federated peer server (bridge.component) -------------------

# `why`: "" or " — <reason>".
entry(
    "room.transferred_to_peer",
    "โอนไปเซิร์ฟเวอร์ {peer} โดย",
    "transferred to {target} by",
    "↪️ {ref} {th} {actor} · {en} {actor}{why}",
)
