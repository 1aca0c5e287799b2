"""What an agent's command does to a case, and who is told. No XMPP: returns `Outgoing`s.

Every command that is carried out leaves one audit event on the case (who, what, when):
``claimed``, ``assigned``, ``note``, ``status``, or the command's name for those that change
nothing else (``help``, ``history``). A refused command changes nothing and records nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from bots.agencies import Agency, find_agency
from bots.anon import citizen_address
from bots.canned import CannedReplies
from bridge.commands import (
    STATUS_EN,
    STATUS_TH,
    Command,
    argument_problem,
    help_text,
    parse_status,
    status_label,
    unknown_command,
)
from bridge.outbox import open311_request, payload_of
from casestore import (
    TRANSITIONS,
    AlreadyAssigned,
    CaseStore,
    CaseView,
    EventView,
    InvalidTransition,
    MessageView,
    Status,
    parse_ref,
)
from casestore.centres import Centre, all_centres, centre_by_slug
from casestore.policy import reopen_days
from kernel.addresses import Addresses, Outgoing

log = logging.getLogger(__name__)

THAI_TIME = timezone(timedelta(hours=7), "ICT")
HISTORY_MESSAGES = 30
HISTORY_EVENTS = 30
HISTORY_CASES = 10
CLIP = 300
QUEUE_LINES = 20

DIRECTION_LABEL = {
    "citizen": "ผู้ร้อง · citizen",
    "agent": "เจ้าหน้าที่ · agent",
    "note": "🔒 บันทึกภายใน · note",
    "system": "แจ้งผู้ร้อง · notice",
}

STATUS_HINT: dict[Status, str] = {
    Status.WAITING_CITIZEN: (
        "กรุณาตอบข้อความนี้พร้อมข้อมูลเพิ่มเติม · Please reply with the details we asked for."
    ),
    Status.FORWARDED: (
        "เรื่องของท่านส่งต่อให้หน่วยงานที่รับผิดชอบแล้ว · Your case went to the agency in charge."
    ),
    Status.CLOSED: "ขอบคุณที่แจ้งเรื่องกับศูนย์ดำรงธรรม · Thank you for contacting the centre.",
}


def rating_invitation(ref: str, days: int) -> str:
    """Ends the resolved notice: the citizen's answers are read by `bots.citizen`."""
    return (
        'กรุณาให้คะแนนการให้บริการ 1–5 (5 = ดีมาก): ตอบเป็นตัวเลข หรือพิมพ์ "ให้คะแนน 5"\n'
        'Please rate our service 1–5 (5 = very good): reply with a digit, or "rate 5".\n'
        f'ยังไม่ได้รับการแก้ไข? พิมพ์ "เปิดเรื่องใหม่ {ref}" ภายใน {days} วัน · '
        f'Not solved? Send "reopen {ref}" within {days} days.'
    )


def _clip(text: str, limit: int = CLIP) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_centre(word: str) -> Centre | None:
    """A centre by slug (any set), Thai or English name, or province name (its provincial
    or the Bangkok centre)."""
    key = word.strip().removeprefix("xmpp:").partition("@")[0].casefold()
    if not key:
        return None
    if centre := centre_by_slug(key):
        return centre
    for centre in all_centres():
        names = [centre.name_th, centre.name_en]
        if centre.kind in ("province", "bangkok"):
            names += [centre.province_th, centre.province_en, f"จังหวัด{centre.province_th}"]
        if key in (n.casefold() for n in names if n):
            return centre
    return None


def _when(at: datetime) -> str:
    return at.astimezone(THAI_TIME).strftime("%Y-%m-%d %H:%M")


class AgentActions:
    """Runs parsed commands against the store for one deployment."""

    def __init__(
        self,
        store: CaseStore,
        addresses: Addresses,
        signature: Callable[[CaseView], str],
        served: Callable[[], frozenset[str] | None] = lambda: None,
        agencies: dict[str, Agency] | None = None,
        canned: CannedReplies | None = None,
    ) -> None:
        self.store = store
        self.addr = addresses
        self.signature = signature
        self.served = served  # slugs of the centres with a room on this server (None: any)
        self.agencies = agencies or {}
        self.canned = canned or CannedReplies({}, {})
        #: Sends an agent's reply to the citizen (set by the relay: stored, signed, claims).
        self.send_reply: Callable[[CaseView, str, str, str | None], list[Outgoing]] | None = None

    # -- entry point ------------------------------------------------------------------------

    def run(
        self,
        case: CaseView,
        actor: str,
        cmd: Command,
        staff: frozenset[str],
        origin_id: str | None = None,
    ) -> list[Outgoing]:
        """Carry out `cmd` by `actor` (an agent of the case's centre; `staff` = all of them)."""
        if cmd.spec is None:
            return [self.tell(case, actor, unknown_command(cmd.word))]
        if problem := argument_problem(cmd):
            return [self.tell(case, actor, problem)]
        handler = getattr(self, f"do_{cmd.spec.name}")
        try:
            return handler(case, actor, cmd.arg, staff, origin_id)
        except InvalidTransition as exc:
            current = self.store.get(case.ref) or case
            return [self.tell(case, actor, self.refused_transition(current, exc.to_status))]

    # -- the commands -----------------------------------------------------------------------

    def do_help(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        self.store.record(case.ref, actor, "help")
        return [self.tell(case, actor, help_text())]

    def do_claim(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        try:
            after = self.store.claim(case.ref, actor)
        except AlreadyAssigned as exc:
            if exc.holder == actor:
                text = "ท่านรับเรื่องนี้ไว้แล้ว · You already hold this case."
            else:
                text = (
                    f"เรื่องนี้ {exc.holder} รับไว้แล้ว ไม่มีการเปลี่ยนแปลง\n"
                    f"Already claimed by {exc.holder}; nothing changed."
                )
            return [self.tell(case, actor, text)]
        outs = [self.tell(case, actor, "ท่านรับเรื่องนี้แล้ว · You now hold this case.")]
        outs.append(self.announce(case, f"✋ {case.ref} รับเรื่องโดย · claimed by {actor}"))
        return outs + self.status_notices(case, after, actor, confirm=False)

    def do_assign(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        target = self.find_agent(arg, case.centre, staff)
        if target is None:
            return [
                self.tell(
                    case,
                    actor,
                    f"ไม่พบเจ้าหน้าที่ «{arg}» ของศูนย์นี้ ไม่มีการเปลี่ยนแปลง\n"
                    f"No agent «{arg}» in this centre; nothing changed. "
                    f"Use a JID or the name part of <name>.{case.centre}@{self.addr.domain}.",
                )
            ]
        current = self.store.get(case.ref) or case
        if current.assigned_to == target:
            return [
                self.tell(
                    case, actor, f"เรื่องนี้อยู่กับ {target} อยู่แล้ว · {target} already holds this case."
                )
            ]
        after = self.store.assign(case.ref, target, actor=actor)
        outs = [self.tell(case, actor, f"มอบหมายให้ {target} แล้ว · Assigned to {target}.")]
        if target != actor:
            outs.append(
                Outgoing(
                    to=target,
                    sender=case.ref.lower(),
                    body=(
                        f"[{case.ref}] {actor} มอบหมายเรื่องนี้ให้ท่าน · assigned this case to "
                        f"you.\n{_clip(case.summary)}\nxmpp:{self.addr.case_jid(case.ref)}?message"
                    ),
                )
            )
        outs.append(
            self.announce(case, f"👉 {case.ref} มอบหมายให้ · assigned to {target} โดย · by {actor}")
        )
        return outs + self.status_notices(current, after, actor, confirm=False)

    def do_transfer(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        word, _, reason = arg.strip().partition(" ")
        reason = reason.strip()
        target = find_centre(word)
        current = self.store.get(case.ref) or case
        served = self.served()
        problem = None
        if target is None:
            problem = (
                f"ไม่พบศูนย์ «{word}» ไม่มีการเปลี่ยนแปลง ใช้ชื่อย่อของศูนย์ เช่น chiangmai, "
                f"chiangrai-maesai, moi หรือชื่อจังหวัด\nNo centre «{word}»; nothing changed. "
                "Use a centre slug (chiangmai, chiangrai-maesai, moi) or a province name."
            )
        elif target.slug == current.centre:
            problem = f"เรื่องนี้อยู่ที่ {target.name_th} อยู่แล้ว · The case is already at {target.slug}."
        elif served is not None and target.slug not in served:
            problem = (
                f"ศูนย์ {target.name_th} ยังไม่เปิดให้บริการบนระบบนี้ ไม่มีการเปลี่ยนแปลง\n"
                f"{target.name_en} ({target.slug}) has no room on this server; nothing changed."
            )
        elif not current.is_open:
            problem = (
                f"เรื่องนี้{STATUS_TH[current.status]} โอนไม่ได้ (เปิดใหม่ก่อนด้วย /เปิดใหม่)\n"
                f"A {current.status.value} case cannot be transferred; /reopen it first."
            )
        if problem:
            return [self.tell(case, actor, problem)]
        before, after = self.store.transfer(case.ref, target.slug, actor, reason or None)
        old = centre_by_slug(before.centre)
        old_th = old.name_th if old else before.centre
        old_en = old.name_en if old else before.centre
        lines = [
            f"[{after.ref}] {target.name_th}",
            f"เรื่องของท่านถูกโอนจาก{old_th} ไปยัง{target.name_th} เลขที่เรื่องยังคงเป็น {after.ref}",
            f"Your case moved from the {old_en} to the {target.name_en}; "
            f"its reference stays {after.ref}.",
        ]
        if reason:
            lines.append(reason)
        lines.append(
            f"ตอบกลับที่นี่ได้ตามปกติ · Reply here as before: xmpp:{self.addr.case_jid(after.ref)}"
        )
        notice = "\n".join(lines)
        centre_jid = f"{after.centre}@{self.addr.bot_domain}"
        self.store.add_message(after.ref, "system", sender=centre_jid, body=notice)
        why = f" — {_clip(reason, 120)}" if reason else ""
        urgent = "🚨 ด่วน · URGENT " if after.urgent else ""
        return [
            self.tell(
                case,
                actor,
                f"โอนเรื่องไป{target.name_th}แล้ว แจ้งผู้ร้องแล้ว · Transferred to {target.slug}; "
                "the citizen has been told. You are no longer an agent of this case.",
            ),
            Outgoing(to=after.citizen_jid, body=notice, sender=after.centre),
            self.announce(
                before,
                f"↪️ {after.ref} โอนไป · transferred to {target.slug} ({target.name_th}) "
                f"โดย · by {actor}{why}",
            ),
            self.announce(
                after,
                f"📥 {urgent}{after.ref} โอนมาจาก · transferred from {before.centre} "
                f"โดย · by {actor}{why}\n"
                f"{after.type}/{after.topic} · สถานะ · status {after.status.value}\n"
                f"{_clip(after.summary, 200)}\n"
                f"เปิดเรื่อง / open: xmpp:{self.addr.case_jid(after.ref)}?message",
            ),
        ]

    def do_forward(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        word, _, note = arg.strip().partition(" ")
        note = note.strip()
        agency = find_agency(word, self.agencies)
        if agency is None:
            known = ", ".join(f"{a.id} ({a.name_th})" for a in self.agencies.values()) or "—"
            return [
                self.tell(
                    case,
                    actor,
                    f"ไม่พบหน่วยงาน «{word}» ไม่มีการเปลี่ยนแปลง · No agency «{word}»; "
                    f"nothing changed.\nหน่วยงาน · agencies: {known}",
                )
            ]
        current = self.store.get(case.ref) or case
        request = open311_request(current, agency, note or None)
        before, after, row = self.store.forward(
            case.ref, agency.id, actor, payload_of(request), note or None
        )
        text = f"ส่งต่อ{agency.name_th} · forwarded to the {agency.name_en}"
        outs = self.status_notices(before, after, actor, text, confirm=False)
        pending = "" if agency.url else " (ยังไม่ได้ตั้งปลายทาง รอในคิว · endpoint not set: it waits)"
        outs.append(
            self.tell(
                case,
                actor,
                f"ส่งต่อ{agency.name_th}แล้ว แจ้งผู้ร้องแล้ว กำลังนำส่ง (คิว #{row.id}){pending}\n"
                f"Forwarded to {agency.id}; the citizen has been told; delivery queued as "
                f"#{row.id}{'' if agency.url else ' (no endpoint configured yet)'}.",
            )
        )
        return outs

    def do_merge(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        parsed = parse_ref(arg.strip().removeprefix("xmpp:").partition("@")[0])
        target = self.store.get(str(parsed)) if parsed else None
        current = self.store.get(case.ref) or case
        problem = None
        if target is None:
            problem = f"ไม่พบเรื่องเลขที่ «{arg}» · No case «{arg}»"
        elif target.ref == current.ref:
            problem = "รวมเรื่องเข้ากับตัวเองไม่ได้ · A case cannot be merged into itself"
        elif target.citizen_jid != current.citizen_jid:
            problem = f"{target.ref} เป็นเรื่องของผู้ร้องคนอื่น · {target.ref} is another citizen's case"
        elif target.centre != current.centre:
            problem = (
                f"{target.ref} อยู่ที่ศูนย์ {target.centre} · {target.ref} is at centre "
                f"{target.centre}; transfer one of them first"
            )
        elif not target.is_open:
            problem = (
                f"{target.ref} {STATUS_TH[target.status]}แล้ว · {target.ref} is "
                f"{target.status.value}; reopen it first"
            )
        if problem:
            return [self.tell(case, actor, f"{problem}\nไม่มีการเปลี่ยนแปลง · Nothing changed.")]
        dup, keep = self.store.merge(current.ref, target.ref, actor)
        notice = (
            f"[{dup.ref}] {self.signature(dup)}\n"
            f"เรื่อง {dup.ref} ซ้ำกับเรื่อง {keep.ref} ของท่าน จึงรวมไว้ด้วยกัน "
            f"เราดำเนินการต่อในเรื่อง {keep.ref}\n"
            f"Your case {dup.ref} repeats your case {keep.ref}, so they were merged; "
            f"we continue under {keep.ref}: xmpp:{self.addr.case_jid(keep.ref)}"
        )
        centre_jid = f"{dup.centre}@{self.addr.bot_domain}"
        self.store.add_message(dup.ref, "system", sender=centre_jid, body=notice)
        return [
            self.tell(
                case,
                actor,
                f"รวมเข้ากับ {keep.ref} แล้ว แจ้งผู้ร้องแล้ว · Merged into {keep.ref}; the citizen "
                f"has been told. Continue at xmpp:{self.addr.case_jid(keep.ref)}?message",
            ),
            Outgoing(to=dup.citizen_jid, body=notice, sender=dup.centre),
            self.announce(
                dup,
                f"🔗 {dup.ref} รวมเข้ากับ · merged into {keep.ref} "
                f"({current.status.value} → merged) โดย · by {actor}",
            ),
        ]

    def do_reply(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        current = self.store.get(case.ref) or case
        replies = self.canned.of(current.centre)
        listing = "\n".join(
            f"• /ตอบ {r.th_name} · /reply {r.name} — {_clip(r.th, 70)}" for r in replies.values()
        )
        if not arg:
            self.store.record(case.ref, actor, "reply_list")
            return [
                self.tell(
                    case,
                    actor,
                    "ข้อความสำเร็จรูปของศูนย์ · canned replies of this centre:\n" + (listing or "—"),
                )
            ]
        reply = self.canned.find(current.centre, arg)
        if reply is None:
            return [
                self.tell(
                    case,
                    actor,
                    f"ไม่พบข้อความสำเร็จรูป «{arg}» ไม่มีการส่ง · No canned reply «{arg}»; "
                    f"nothing was sent.\n{listing or '—'}",
                )
            ]
        if not current.is_open:
            return [
                self.tell(
                    case,
                    actor,
                    f"เรื่องนี้{STATUS_TH[current.status]} ไม่มีการส่ง · The case is "
                    f"{current.status.value}; nothing was sent.",
                )
            ]
        centre = centre_by_slug(current.centre)
        text = reply.text(
            current.ref,
            centre.name_th if centre else current.centre,
            centre.name_en if centre else current.centre,
        )
        assert self.send_reply is not None, "the relay sets send_reply"
        outs = self.send_reply(current, actor, text, origin_id)
        if outs:
            outs.append(self.tell(case, actor, f"ส่ง «{reply.th_name}» แล้ว · Sent «{reply.name}»."))
        return outs

    def do_note(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        _msg, added = self.store.add_note(case.ref, actor, arg, origin_id)
        if not added:
            return []
        return [
            self.tell(
                case,
                actor,
                "🔒 บันทึกภายในแล้ว ผู้ร้องไม่เห็นข้อความนี้ · Note saved; the citizen does not see it.",
            )
        ]

    def do_status(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        current = self.store.get(case.ref) or case
        if not arg:
            return [self.tell(case, actor, self.status_summary(current))]
        target = parse_status(arg)
        if target is None:
            return [
                self.tell(
                    case,
                    actor,
                    f"ไม่รู้จักสถานะ «{arg}» · Unknown status «{arg}».\n"
                    + self.status_summary(current),
                )
            ]
        if target == Status.MERGED:
            return [
                self.tell(
                    case,
                    actor,
                    "การรวมเรื่องต้องระบุเรื่องหลัก ใช้ /รวมเรื่อง <เลขที่เรื่อง> ไม่มีการเปลี่ยนแปลง\n"
                    "Merging needs the case to merge into: use /merge <ref>; nothing changed.",
                )
            ]
        return self.change(current, actor, target)

    def do_resolve(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        return self.change(self.store.get(case.ref) or case, actor, Status.RESOLVED, arg or None)

    def do_close(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        return self.change(self.store.get(case.ref) or case, actor, Status.CLOSED)

    def do_reopen(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        return self.change(self.store.get(case.ref) or case, actor, Status.REOPENED)

    def do_history(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        self.store.record(case.ref, actor, "history")
        return [self.tell(case, actor, self.history(case.ref))]

    def do_queue(self, case, actor, arg, staff, origin_id) -> list[Outgoing]:
        return [self.tell(case, actor, self.queue_text((self.store.get(case.ref) or case).centre))]

    def queue_text(self, centre: str, now: datetime | None = None) -> str:
        """The centre's open cases: waiting (urgent first), then held, with their holders."""
        cases = self.store.open_cases(centre=centre)
        waiting = [c for c in cases if c.assigned_to is None]
        waiting.sort(key=lambda c: (not c.urgent, c.created_at))
        held = [c for c in cases if c.assigned_to is not None]
        name = (found.name_th if (found := centre_by_slug(centre)) else centre)
        lines = [
            f"คิว {name} · queue of {centre}: รอรับ {len(waiting)} · waiting, "
            f"มีผู้ดูแล {len(held)} · held"
        ]
        now = now or datetime.now(THAI_TIME)
        for title, group in (("รอรับเรื่อง · waiting", waiting), ("มีผู้ดูแล · held", held)):
            if not group:
                continue
            lines.append(title)
            for c in group[:QUEUE_LINES]:
                hours = max(0, int((now - c.created_at).total_seconds() // 3600))
                flag = "🚨 " if c.urgent else ""
                who = f" · {c.assigned_to}" if c.assigned_to else ""
                lines.append(
                    f"• {flag}{c.ref} ({STATUS_TH[c.status]}, {hours} ชม. · h){who} "
                    f"{_clip(c.summary, 60)} xmpp:{self.addr.case_jid(c.ref)}?message"
                )
            if len(group) > QUEUE_LINES:
                lines.append(f"… และอีก {len(group) - QUEUE_LINES} เรื่อง · and more")
        return "\n".join(lines)

    # -- status changes ---------------------------------------------------------------------

    def change(
        self, current: CaseView, actor: str, target: Status, text: str | None = None
    ) -> list[Outgoing]:
        """Move the case to `target` (InvalidTransition propagates) and tell everyone."""
        if current.status == target:
            raise InvalidTransition(current.ref, current.status, target)
        after = self.store.set_status(current.ref, target, actor, note=text)
        return self.status_notices(current, after, actor, text)

    def status_notices(
        self,
        before: CaseView,
        after: CaseView,
        actor: str,
        text: str | None = None,
        *,
        confirm: bool = True,
    ) -> list[Outgoing]:
        """After a status change: the citizen (kept in the transcript), the room, the agent."""
        if before.status == after.status:
            return []
        old, new = before.status, after.status
        lines = [
            f"[{after.ref}] {self.signature(after)}",
            f"สถานะเรื่องของท่าน: {STATUS_TH[new]}",
            f"Status of your case: {STATUS_EN[new]}",
        ]
        if text:
            lines.append(text)
        if hint := STATUS_HINT.get(new):
            lines.append(hint)
        if new == Status.RESOLVED:
            lines.append(rating_invitation(after.ref, reopen_days()))
        notice = "\n".join(lines)
        centre_jid = f"{after.centre}@{self.addr.bot_domain}"
        self.store.add_message(after.ref, "system", sender=centre_jid, body=notice)
        # An anonymous tipster's live JID is only in memory (bots.anon); gone → /track only.
        registry = getattr(self, "anon", None)  # the relay's registry (bots.relay.Relay)
        to = citizen_address(after.ref, after.citizen_jid, self.addr.domain, registry)
        outs = [Outgoing(to=to, body=notice, sender=after.centre)] if to else []
        room = f"📌 {after.ref}: {STATUS_TH[old]} → {STATUS_TH[new]} ({old.value} → {new.value}) "
        room += f"โดย · by {actor}"
        if text:
            room += f" — {_clip(text, 120)}"
        outs.append(self.announce(after, room))
        if confirm:
            outs.append(
                self.tell(
                    after,
                    actor,
                    f"สถานะ: {status_label(new)} แจ้งผู้ร้องแล้ว · Status is now {new.value}; "
                    "the citizen has been told.",
                )
            )
        return outs

    def refused_transition(self, current: CaseView, target: str) -> str:
        try:
            label = status_label(Status(target))
        except ValueError:
            label = str(target)
        return (
            f"เปลี่ยนสถานะเป็น {label} ไม่ได้ ไม่มีการเปลี่ยนแปลง · "
            f"Cannot move to {target}; nothing changed.\n" + self.status_summary(current)
        )

    @staticmethod
    def status_summary(case: CaseView) -> str:
        nexts = sorted(TRANSITIONS[case.status] - {Status.MERGED}, key=list(Status).index)
        allowed = ", ".join(f"{s.value} ({STATUS_TH[s]})" for s in nexts) or "—"
        holder = case.assigned_to or "ยังไม่มี · nobody"
        return (
            f"สถานะปัจจุบัน · status: {status_label(case.status)}; ผู้รับผิดชอบ · held by: {holder}\n"
            f"เปลี่ยนเป็นได้ · can move to: {allowed}"
        )

    # -- history ----------------------------------------------------------------------------

    def history(self, ref: str) -> str:
        case = self.store.get(ref)
        assert case is not None
        messages = self.store.transcript(ref)
        events = self.store.events(ref)
        lines = [
            f"ประวัติเรื่อง · history of {case.ref} — {status_label(case.status)}, "
            f"ผู้รับผิดชอบ · held by {case.assigned_to or '—'}",
        ]
        if (score := self.store.rating(ref)) is not None:
            lines.append(f"⭐ คะแนนจากผู้ร้อง · citizen's rating: {score}/5")
        lines += [
            f"── บทสนทนา · transcript ({min(len(messages), HISTORY_MESSAGES)}/{len(messages)}) ──",
        ]
        lines += [self._message_line(m) for m in messages[-HISTORY_MESSAGES:]]
        lines.append(
            f"── การดำเนินการ · audit log ({min(len(events), HISTORY_EVENTS)}/{len(events)}) ──"
        )
        lines += [self._event_line(e) for e in events[-HISTORY_EVENTS:]]
        others = [c for c in self.store.cases_for_citizen(case.citizen_jid) if c.ref != case.ref]
        lines.append(f"── เรื่องก่อนหน้าของผู้ร้อง · citizen's other cases ({len(others)}) ──")
        for other in others[:HISTORY_CASES]:
            line = f"{other.ref} · {_when(other.created_at)} · {other.status.value}"
            if other.centre == case.centre:
                line += f" · {_clip(other.summary, 80)}"
            else:
                line += f" · ศูนย์ · centre {other.centre}"
            lines.append(line)
        if not others:
            lines.append("ไม่มี · none")
        return "\n".join(lines)

    @staticmethod
    def _message_line(m: MessageView) -> str:
        who = DIRECTION_LABEL.get(m.direction, m.direction)
        if m.direction in ("agent", "note"):
            who += f" ({m.sender})"
        return f"{_when(m.created_at)} {who}: {_clip(m.body)}"

    @staticmethod
    def _event_line(e: EventView) -> str:
        line = f"{_when(e.at)} {e.kind} · {e.actor}"
        if e.from_status or e.to_status:
            old = e.from_status.value if e.from_status else "—"
            line += f" · {old} → {e.to_status.value if e.to_status else '—'}"
        if e.note and e.kind not in ("claimed",):
            line += f" · {_clip(e.note, 120)}"
        return line

    # -- helpers ----------------------------------------------------------------------------

    def find_agent(self, name: str, centre: str, staff: frozenset[str]) -> str | None:
        """A staff JID of the centre from a JID, `<name>` of `<name>.<centre>@D`, or the slug."""
        key = name.strip().removeprefix("xmpp:").casefold()
        if "@" in key:
            candidates = [key.split("/", 1)[0]]
        else:
            candidates = [f"{key}.{centre}@{self.addr.domain}", f"{key}@{self.addr.domain}"]
        lowered = {j.casefold(): j for j in staff}
        for cand in candidates:
            if cand in lowered:
                return lowered[cand]
        return None

    def tell(self, case: CaseView, actor: str, text: str) -> Outgoing:
        """A reply to the agent, from the case address."""
        return Outgoing(to=actor, body=f"[{case.ref}] {text}", sender=case.ref.lower())

    def announce(self, case: CaseView, text: str) -> Outgoing:
        return Outgoing(to=self.addr.room_jid(case.centre), body=text, groupchat=True)
