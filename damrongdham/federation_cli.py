"""`damrongdham federation …`: join this server to a federation of Damrongdham servers.

* ``init [--ca-from DIR] [--listen ADDR] [--port N] [--domain D]``: take the federation's
  certificate authority (``DIR/ca.crt`` and ``DIR/ca.key``, e.g. another member's
  ``certs/``; without it this server's own CA becomes the federation's), issue the server
  certificate (it also names ``federation.<domain>``), create the gateway secret;
* ``peer add DOMAIN HOST[:PORT]``, ``peer list``, ``peer remove DOMAIN``.

Everything is kept in ``DIR/federation.json`` (mode 0600) and written to Prosody's
``DIR/prosody/federation.cfg.lua`` (`bridge.federation`). A restart of ``damrongdham up`` puts
the change into effect (Prosody reads its configuration and the bot its peers at start).
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
from pathlib import Path

from bridge.federation import (
    DEFAULT_S2S_PORT,
    FederationConfig,
    load_config,
    save_config,
    server_certificate,
    share_ca,
)
from kernel.settings import StackSettings

DEFAULT_DATA_DIR = Path("data")
RESTART = (
    "เริ่ม `damrongdham up` ใหม่เพื่อให้มีผล · Restart `damrongdham up` for this to take effect."
)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$")


class Refused(Exception):
    """Bad input: the message (Thai, then English) is printed and the command exits 2."""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="the stack's data directory (default ./data)")
    p = subparsers.add_parser(
        "federation", help="connect this server to other Damrongdham servers (s2s)"
    )
    sub = p.add_subparsers(dest="federation_command", required=True)
    init = sub.add_parser("init", parents=[common],
                          help="set up this server for federation (certificates, gateway)")
    init.add_argument("--ca-from", type=Path, default=None,
                      help="directory with the federation's ca.crt and ca.key")
    init.add_argument("--domain", default=None,
                      help="this server's domain (needed before the first `up`)")
    init.add_argument("--listen", default=None, help="s2s address (default 0.0.0.0)")
    init.add_argument("--port", default=None, help=f"s2s port (default {DEFAULT_S2S_PORT})")
    peer = sub.add_parser("peer", help="the peer servers")
    peers = peer.add_subparsers(dest="peer_command", required=True)
    add = peers.add_parser("add", parents=[common], help="add or change a peer server")
    add.add_argument("domain", help="the peer's domain, e.g. central.example")
    add.add_argument("address", help="HOST[:PORT] of its s2s port (default port 5269)")
    peers.add_parser("list", parents=[common], help="list the peer servers")
    remove = peers.add_parser("remove", parents=[common], help="remove a peer server")
    remove.add_argument("domain")
    return p


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise Refused(f"พอร์ตไม่ถูกต้อง: {text!r} (1–65535) · Not a port: {text!r} (1-65535)")
    return int(text)


def _domain(text: str) -> str:
    domain = text.strip().casefold()
    if not _DOMAIN.match(domain):
        raise Refused(
            f"ชื่อโดเมนไม่ถูกต้อง: {text!r} (เช่น central.example) · "
            f"Not a domain name: {text!r} (e.g. central.example)"
        )
    return domain


def _address(text: str) -> tuple[str, int]:
    host, colon, port = text.strip().rpartition(":")
    if not colon or host.endswith(":") or (host.startswith("[") != host.endswith("]")):
        host, port = text.strip(), str(DEFAULT_S2S_PORT)  # no port (or a bare IPv6 address)
    host = host.removeprefix("[").removesuffix("]")
    if not host or any(c.isspace() or c in "\"'{};" for c in host):
        raise Refused(
            f"ที่อยู่ไม่ถูกต้อง: {text!r} (HOST หรือ HOST:PORT) · "
            f"Not an address: {text!r} (HOST or HOST:PORT)"
        )
    return host, _port(port)


def _settings(data_dir: Path, domain: str | None) -> StackSettings:
    from kernel.config_file import load_settings

    try:
        saved = load_settings(data_dir)
    except FileNotFoundError:
        if domain is None:
            raise Refused(
                f"{data_dir} ยังไม่มีการตั้งค่า ให้ระบุ --domain · "
                f"{data_dir} has no settings yet: give --domain"
            ) from None
        return StackSettings(data_dir=data_dir, domain=domain)
    if domain is not None and domain != saved.domain:
        raise Refused(
            f"{data_dir} เป็นของโดเมน {saved.domain} ไม่ใช่ {domain} · "
            f"{data_dir} belongs to domain {saved.domain}, not {domain}"
        )
    from dataclasses import replace

    return replace(saved, data_dir=data_dir)


def _configured(data_dir: Path) -> FederationConfig:
    try:
        config = load_config(data_dir)
    except ValueError as exc:
        raise Refused(f"อ่านไฟล์ไม่ได้ · cannot read: {exc}") from None
    if config is None:
        raise Refused(
            f"{data_dir} ยังไม่ได้ตั้งค่า federation ให้รัน `damrongdham federation init` ก่อน · "
            f"{data_dir} has no federation yet: run `damrongdham federation init` first"
        )
    return config


def _save(data_dir: Path, config: FederationConfig) -> None:
    settings = StackSettings(data_dir=data_dir, domain=config.domain)
    save_config(data_dir, settings.prosody_dir, settings.certs_dir, config)


def init(args: argparse.Namespace) -> str:
    domain = _domain(args.domain) if args.domain else None
    settings = _settings(args.data_dir, domain)
    existing = load_config(args.data_dir) if (args.data_dir / "federation.json").exists() else None
    if existing is not None and existing.domain != settings.domain:
        raise Refused(f"federation.json: {existing.domain} ≠ {settings.domain}")
    certs = settings.certs_dir
    if args.ca_from is not None:
        missing = [n for n in ("ca.crt", "ca.key") if not (args.ca_from / n).is_file()]
        if missing:
            raise Refused(
                f"ไม่พบ {', '.join(missing)} ใน {args.ca_from} · "
                f"{args.ca_from} lacks {', '.join(missing)}"
            )
        before = (certs / "ca.crt").read_bytes() if (certs / "ca.crt").exists() else None
        if args.ca_from.resolve() != certs.resolve():
            share_ca(args.ca_from, certs)
        if before is not None and before != (certs / "ca.crt").read_bytes():
            # signed by the old CA: issue a new one from the federation's
            for name in ("server.crt", "server.key"):
                (certs / name).unlink(missing_ok=True)
    from damrongdham.prosody import hostnames

    server_certificate(certs, hostnames(settings), settings.domain)
    config = existing or FederationConfig(settings.domain, secrets.token_hex(24))
    if args.listen:
        config.listen = args.listen
    if args.port:
        config.s2s_port = _port(args.port)
    _save(args.data_dir, config)
    return (
        f"federation: {settings.domain}, s2s {config.listen}:{config.s2s_port}, "
        f"CA {certs / 'ca.crt'}\n"
        "เพิ่มเซิร์ฟเวอร์ปลายทางด้วย `damrongdham federation peer add DOMAIN HOST[:PORT]` · "
        "add peers with `damrongdham federation peer add DOMAIN HOST[:PORT]`\n" + RESTART
    )


def peer(args: argparse.Namespace) -> str:
    config = _configured(args.data_dir)
    if args.peer_command == "list":
        if not config.peers:
            return "ยังไม่มีเซิร์ฟเวอร์ปลายทาง · no peers yet"
        return "\n".join(f"{d}\t{h}:{p}" for d, (h, p) in sorted(config.peers.items()))
    domain = _domain(args.domain)
    if args.peer_command == "add":
        if domain == config.domain:
            raise Refused(
                f"{domain} คือเซิร์ฟเวอร์นี้เอง · {domain} is this server itself"
            )
        config.peers[domain] = _address(args.address)
        host, port = config.peers[domain]
        _save(args.data_dir, config)
        return f"peer {domain} → {host}:{port}\n{RESTART}"
    if domain not in config.peers:
        raise Refused(f"ไม่มีเซิร์ฟเวอร์ {domain} ในรายการ · {domain} is not a peer")
    del config.peers[domain]
    _save(args.data_dir, config)
    return f"peer {domain} removed · ลบแล้ว\n{RESTART}"


def run(args: argparse.Namespace) -> int:
    try:
        out = init(args) if args.federation_command == "init" else peer(args)
    except Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0
