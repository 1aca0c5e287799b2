"""Which reverse proxies are trusted to name the client (``DAMRONGDHAM_TRUSTED_PROXIES``).

One setting for Prosody (its ``trusted_proxies``, used for BOSH and WebSocket) and the web
(``web.proxy``): a comma- or space-separated list of addresses or networks (``127.0.0.1``,
``10.0.0.0/8``, ``::1``). Default empty: no proxy is trusted, ``X-Forwarded-For`` is ignored
and every client is the address that connected — so a reverse proxy on the same host must
be declared, or all its clients count as one address (127.0.0.1) in the login and upload
limits.

From a trusted proxy, the client is the rightmost address of ``X-Forwarded-For`` (with the
connecting address appended) that is not itself a trusted proxy: what the proxy saw, never
what the client wrote in its own header — the rule of Prosody's ``mod_http``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable

ENV = "DAMRONGDHAM_TRUSTED_PROXIES"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxySettingError(ValueError):
    """A value of DAMRONGDHAM_TRUSTED_PROXIES that is not an address or a network."""


def parse(value: str | None) -> tuple[str, ...]:
    """The trusted addresses/networks of a setting's value, normalised; refuses nonsense."""
    items = []
    for raw in (value or "").replace(",", " ").split():
        try:
            items.append(str(ipaddress.ip_network(raw, strict=False)).removesuffix("/32")
                         .removesuffix("/128"))
        except ValueError:
            raise ProxySettingError(f"{ENV}: {raw!r} is not an IP address or network") from None
    return tuple(dict.fromkeys(items))


def from_environment() -> tuple[str, ...]:
    return parse(os.environ.get(ENV))


def networks(trusted: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(t, strict=False) for t in trusted]


def is_trusted(address: str, nets: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in nets)


def client_address(remote: str, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The client behind `remote`: `remote` itself unless it is a trusted proxy."""
    nets = networks(trusted)
    if not forwarded_for or not is_trusted(remote, nets):
        return remote
    chain = [a.strip() for a in forwarded_for.split(",") if a.strip()] + [remote]
    for address in reversed(chain):
        if not is_trusted(address, nets):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # a garbled hop: no better knowledge than the proxy itself
    return remote
