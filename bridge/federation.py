"""Cases moving between federated Damrongdham servers (district, provincial, central).

Two parts:

* the Prosody side: `write_prosody_federation` writes ``DIR/prosody/federation.cfg.lua``,
  which the generated Prosody configuration includes when it exists (s2s on one port,
  ``s2s_secure_auth`` against one certificate authority shared by the peers, fixed peer
  addresses instead of DNS, and the federation gateway component). Without that file
  server-to-server stays off.
* the case side: `Federation`, attached to any slixmpp component, sends a case to a peer
  server and imports the cases peers send. A transfer is one IQ ``set``
  carrying ``<transfer xmlns="urn:damrongdham:federation:0" centre=… reason=…>`` with the
  case as JSON (`casestore.export_import`); the receiver answers ``result`` once the case is
  stored (reference, transcript and audit log unchanged), or an error. Only peers listed in
  the configuration are accepted; s2s_secure_auth makes their addresses trustworthy.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.stanza import Iq
from slixmpp.xmlstream import ElementBase, register_stanza_plugin
from slixmpp.xmlstream.handler import CoroutineCallback
from slixmpp.xmlstream.matcher import StanzaPath

from casestore import CaseStore, CaseView
from casestore.export_import import ImportConflict, export_case, import_case
from kernel.tls import ensure_certificates

log = logging.getLogger(__name__)

NS = "urn:damrongdham:federation:0"
GATEWAY = "federation"  # the gateway component: federation.<domain>


class FederationError(RuntimeError):
    """A peer refused a case, or did not answer."""


class Transfer(ElementBase):
    """``<transfer xmlns=NS centre="…" reason="…">{case JSON}</transfer>``."""

    name = "transfer"
    namespace = NS
    plugin_attrib = "dd_transfer"
    interfaces = {"centre", "reason", "ref", "case"}  # noqa: RUF012 - slixmpp's API

    def get_case(self) -> str:
        return self.xml.text or ""

    def set_case(self, value: str) -> None:
        self.xml.text = value

    def del_case(self) -> None:
        self.xml.text = None


register_stanza_plugin(Iq, Transfer)


def gateway_jid(domain: str) -> str:
    return f"{GATEWAY}.{domain}"


def _peer_domain(jid: slixmpp.JID, peers: Iterable[str]) -> str | None:
    host = jid.domain
    return next((p for p in peers if host == p or host.endswith(f".{p}")), None)


class Federation:
    """Send cases to peer servers and import theirs, over the component `xmpp`.

    ``centres`` are this server's centre slugs (a transfer to another is refused);
    ``on_imported`` is called with each newly imported case (the bot announces it in the
    centre's room). ``jid`` is the address cases leave from (default: the component's).
    """

    def __init__(
        self, xmpp: slixmpp.BaseXMPP, store: CaseStore, domain: str, peers: Iterable[str],
        centres: Iterable[str], on_imported: Callable[[CaseView], None] | None = None,
        jid: str | None = None,
    ) -> None:
        self.xmpp, self.store, self.domain = xmpp, store, domain
        self.jid = jid or xmpp.boundjid.bare
        self.peers = frozenset(peers)
        self.centres = frozenset(centres)
        self.on_imported = on_imported
        xmpp.register_handler(
            CoroutineCallback("damrongdham transfer", StanzaPath("iq@type=set/dd_transfer"),
                              self._on_transfer)
        )

    async def send_case(
        self, ref: str, to: str, centre: str, actor: str, reason: str | None = None,
        timeout: float = 30,
    ) -> CaseView:
        """Transfer open case `ref` to `centre` on the server of `to` (its gateway JID).

        Once the peer has stored it, the local case records a ``transferred`` event to
        ``centre@peer`` and is returned; FederationError if the peer refused or was silent."""
        peer = _peer_domain(slixmpp.JID(to), self.peers)
        if peer is None:
            raise FederationError(f"{to} is not a federated peer of {self.domain}")
        data = export_case(self.store, ref, self.domain)
        iq = self.xmpp.make_iq_set(ito=to, ifrom=self.jid)
        iq["dd_transfer"]["centre"] = centre
        iq["dd_transfer"]["ref"] = data["case"]["ref"]
        if reason:
            iq["dd_transfer"]["reason"] = reason
        iq["dd_transfer"]["case"] = json.dumps(data, ensure_ascii=False)
        try:
            await iq.send(timeout=timeout)
        except IqError as exc:
            err = exc.iq["error"]
            raise FederationError(f"{to} refused {ref}: {err['condition']} {err['text']}") from exc
        except IqTimeout as exc:
            raise FederationError(f"{to} did not answer about {ref} in {timeout:.0f} s") from exc
        _before, after = self.store.transfer(ref, f"{centre}@{peer}", actor, reason)
        return after

    async def _on_transfer(self, iq: Iq) -> None:
        sender = _peer_domain(iq["from"], self.peers)
        payload = iq["dd_transfer"]
        if sender is None:
            self._error(iq, "forbidden", "not a federated peer")
            return
        centre = payload["centre"]
        if centre not in self.centres:
            self._error(iq, "item-not-found", f"no centre {centre!r} here")
            return
        try:
            data = json.loads(payload["case"])
            if data.get("origin") != sender:
                self._error(iq, "forbidden", "the case comes from another server")
                return
            case, created = import_case(
                self.store, data, centre, str(iq["from"].bare), payload["reason"] or None
            )
        except ImportConflict as exc:
            self._error(iq, "conflict", str(exc))
            return
        except (ValueError, KeyError, TypeError) as exc:
            self._error(iq, "bad-request", str(exc))
            return
        log.info("case %s imported from %s into %s (new: %s)", case.ref, sender, centre, created)
        iq.reply(clear=True).send()
        if created and self.on_imported:
            self.on_imported(case)

    @staticmethod
    def _error(iq: Iq, condition: str, text: str) -> None:
        log.warning("transfer from %s refused: %s", iq["from"], text)
        reply = iq.reply(clear=True)
        reply["error"]["type"] = "cancel" if condition != "bad-request" else "modify"
        reply["error"]["condition"] = condition
        reply["error"]["text"] = text
        reply.send()


# -- the operator's configuration: DIR/federation.json (`damrongdham federation …`) ----------

CONFIG_FILE = "federation.json"
DEFAULT_S2S_PORT = 5269


@dataclass
class FederationConfig:
    """This server's federation: its domain, where s2s listens, the gateway's secret and the
    peers (domain -> (address, s2s port)). Kept in ``DIR/federation.json`` (mode 0600)."""

    domain: str
    gateway_secret: str
    listen: str = "0.0.0.0"
    s2s_port: int = DEFAULT_S2S_PORT
    peers: dict[str, tuple[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "domain": self.domain,
            "gateway_secret": self.gateway_secret,
            "listen": self.listen,
            "s2s_port": self.s2s_port,
            "peers": {d: [h, p] for d, (h, p) in sorted(self.peers.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> FederationConfig:
        return cls(
            domain=str(data["domain"]),
            gateway_secret=str(data["gateway_secret"]),
            listen=str(data.get("listen", "0.0.0.0")),
            s2s_port=int(data.get("s2s_port", DEFAULT_S2S_PORT)),
            peers={str(d): (str(h), int(p)) for d, (h, p) in data.get("peers", {}).items()},
        )


def config_path(data_dir: Path) -> Path:
    return data_dir / CONFIG_FILE


def load_config(data_dir: Path) -> FederationConfig | None:
    """The federation of the server in `data_dir`, None when it has none (ValueError if the
    file cannot be read)."""
    path = config_path(data_dir)
    if not path.exists():
        return None
    try:
        return FederationConfig.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def save_config(
    data_dir: Path, prosody_dir: Path, certs_dir: Path, config: FederationConfig
) -> Path:
    """Write ``federation.json`` (0600: it holds the gateway secret) and Prosody's
    ``federation.cfg.lua`` from it. Both take effect at the next start of the stack."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = config_path(data_dir)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(config.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    path.chmod(0o600)
    write_prosody_federation(
        prosody_dir, certs_dir, config.domain, config.listen, config.s2s_port, config.peers,
        config.gateway_secret,
    )
    return path


# -- the Prosody side ---------------------------------------------------------------------------


def share_ca(from_certs: Path, to_certs: Path) -> None:
    """Give a new server the federation's certificate authority (before its first start)."""
    to_certs.mkdir(parents=True, exist_ok=True)
    for name in ("ca.crt", "ca.key"):
        shutil.copy2(from_certs / name, to_certs / name)
    (to_certs / "ca.key").chmod(0o600)


def server_certificate(certs_dir: Path, hostnames: list[str], domain: str) -> None:
    """The server certificate also names the gateway (kept by `up`: it covers its hosts)."""
    ensure_certificates(certs_dir, [*hostnames, gateway_jid(domain)])


def write_prosody_federation(
    prosody_dir: Path, certs_dir: Path, domain: str, listen: str, s2s_port: int,
    peers: dict[str, tuple[str, int]], gateway_secret: str, trust: Path | None = None,
) -> Path:
    """Write ``federation.cfg.lua``: s2s on `listen:s2s_port`, peers' certificates checked
    against `trust` (default: this server's CA, shared by the federation), `peers` (domain ->
    address, port) reached without DNS, and the gateway."""
    peer_lines = "".join(
        f'\t["{name}"] = {{ "{host}", {port} }};\n' for name, (host, port) in sorted(peers.items())
    )
    text = f"""-- Written by bridge/federation.py: server-to-server links of {domain}.
modules_disabled = {{ "dialback" }}  -- s2s on; peers authenticate by certificate only
s2s_ports = {{ {s2s_port} }}
s2s_interfaces = {{ "{listen}" }}
s2s_require_encryption = true
s2s_secure_auth = true
ssl = {{
\tcertificate = "{certs_dir / 'server.crt'}";
\tkey = "{certs_dir / 'server.key'}";
\tcafile = "{trust or certs_dir / 'ca.crt'}";
}}
damrongdham_s2s_peers = {{
{peer_lines}}}

-- The bot talks to citizens and agents of peer servers (a case's agents reply from here).
Component "bot.{domain}"
	modules_enabled = {{ "damrongdham_spool"; "s2s_auth_certs"; "damrongdham_s2s_peers" }}

-- Cases come and go through this gateway (bridge.federation.Federation).
Component "{gateway_jid(domain)}"
\tcomponent_secret = "{gateway_secret}"
\tmodules_enabled = {{ "s2s_auth_certs"; "damrongdham_s2s_peers" }}
"""
    prosody_dir.mkdir(parents=True, exist_ok=True)
    path = prosody_dir / "federation.cfg.lua"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # holds the gateway secret
    return path
