"""A centre account's public profile: vCard (name, organisation, phone) and emblem avatar."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import slixmpp

from casestore.centres import Centre
from provisioning.emblem import emblem_png

VCARD_NS = "vcard-temp"


@dataclass(frozen=True)
class ProfileSpec:
    full_name: str
    org_unit: str
    phone: str
    note: str
    emblem_code: str
    kind: str

    @classmethod
    def for_centre(cls, centre: Centre) -> ProfileSpec:
        code = centre.iso[3:] if centre.iso else centre.slug[:4].upper()
        if centre.kind == "district":
            code = getattr(centre, "district_code", "") or code
        return cls(
            full_name=centre.name_th,
            org_unit=centre.name_en,
            phone=centre.phone,
            note=f"{centre.name_th} · {centre.name_en} · สายด่วน 1567",
            emblem_code=code,
            kind=centre.kind,
        )

    def vcard(self) -> ET.Element:
        card = ET.Element(f"{{{VCARD_NS}}}vCard")

        def add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
            el = ET.SubElement(parent, f"{{{VCARD_NS}}}{tag}")
            el.text = text
            return el

        add(card, "FN", self.full_name)
        org = add(card, "ORG")
        add(org, "ORGNAME", "ศูนย์ดำรงธรรม กระทรวงมหาดไทย")
        add(org, "ORGUNIT", self.org_unit)
        tel = add(card, "TEL")
        add(tel, "WORK")
        add(tel, "VOICE")
        add(tel, "NUMBER", self.phone)
        add(card, "DESC", self.note)
        photo = add(card, "PHOTO")
        add(photo, "TYPE", "image/png")
        add(photo, "BINVAL", base64.b64encode(self.avatar()).decode())
        return card

    def avatar(self) -> bytes:
        return emblem_png(self.emblem_code, self.kind)

    def avatar_sha1(self) -> str:
        return hashlib.sha1(self.avatar()).hexdigest()


async def publish_profile(client: slixmpp.ClientXMPP, spec: ProfileSpec) -> None:
    """Store the vCard as the account itself (vcard-temp; Prosody mirrors it to PEP avatar)."""
    iq = client.make_iq_set()
    iq.xml.append(spec.vcard())
    await iq.send(timeout=30)
