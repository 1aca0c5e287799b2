"""Greetings, thanks and small talk: a message made only of such words opens no case.

"สวัสดีครับ", "ขอบคุณค่ะ", "hello", "ทดสอบ", "555", "อยู่ไหมคะ", and also "สวัสดีค่ะ มีเรื่อง
จะร้องเรียน" (a complaint announced, not told) get a friendly prompt asking what happened
and where; a citizen with an open case has them added to it as any follow-up."""

from __future__ import annotations

import re

from bots.tokenise import tokenize

#: Words of greeting, thanks, politeness, testing, laughter and "is anyone there".
SMALL_TALK = frozenset(
    """
    สวัสดี หวัดดี ดีครับ ดีค่ะ ดีคะ ดีจ้า ครับ ค่ะ คะ คับ ครับผม จ้า จ้ะ ค่า ฮะ นะ นะคะ นะครับ
    ขอบคุณ ขอบใจ ขอบพระคุณ มาก มากๆ ค่ะ ครับ ทดสอบ ลอง ระบบ เทส อยู่ ไหม มั้ย มั๊ย ป่าว
    มี ใคร บ้าง รึ เปล่า หรือเปล่า โอเค ok okay ได้ เลย รับทราบ ทราบ แล้ว ดี ตอน เช้า
    เย็น บ่าย ยินดี ที่ ได้ รู้จัก แอดมิน admin เจ้าหน้าที่ พี่ น้อง คุณ ฮัลโหล hello hi hey
    test testing thanks thank you thx good morning evening afternoon there anyone
    sawasdee sawatdee kha krub khrap ka
    เรื่อง มีเรื่อง จะ ร้องเรียน แจ้ง ขอ ปรึกษา สอบถาม อยาก ต้องการ หน่อย
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
#: Words that never make a message small talk, even among the above (a call for help).
NOT_SMALL_TALK = frozenset({"ช่วย", "ช่วยด้วย", "ด่วน", "help"})
_LAUGH = re.compile(r"^(?:5{2,}|ha(?:ha)+|ฮ่?่?า(?:ฮ่?่?า)*|55+\+*)$", re.IGNORECASE)
_NOISE = re.compile(r"^[\W_]+$")


def is_small_talk(masked: str) -> bool:
    """True when every word of `masked` is greeting, thanks or small talk (at least one)."""
    if len(masked) > 200:
        return False
    words = [w.lower() for w in tokenize(masked) if not _NOISE.match(w)]
    if not words:
        return False
    for w in words:
        if w in NOT_SMALL_TALK:
            return False
        if w not in SMALL_TALK and not _LAUGH.match(w):
            return False
    return True
