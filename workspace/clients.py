"""Who the client is: one answer for the login lock, the throttles and anything that counts
by address.

The peer of the connection (``REMOTE_ADDR``, an ASGI scope's ``client``) is the client, unless
that peer is one of ``settings.TRUSTED_PROXIES`` (with ``BEHIND_PROXY=1``). Only then does
``X-Forwarded-For`` count, read from the right: each trusted proxy appended the address it saw,
so the rightmost address that is not a trusted proxy is the client. Everything left of it is
whatever the client claimed and is never believed.

The servers the repository starts pass the header through untouched (uvicorn with
``--no-proxy-headers``), so this module is the only place that decides.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.core import checks
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(value: str) -> Address | None:
    """One address as proxies and servers write it: ``192.0.2.1``, ``192.0.2.1:4711``,
    ``2001:db8::1``, ``[2001:db8::1]:443``, ``fe80::1%eth0``; ``None`` for anything else
    (``unknown``, obfuscated names, garbage). IPv4 mapped into IPv6 counts as IPv4."""
    text = value.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.partition(":")[0]
    text = text.partition("%")[0]
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies)


def _trusted(address: Address) -> bool:
    if not settings.BEHIND_PROXY:
        return False
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_from(peer: str, forwarded: Iterable[str]) -> str:
    """The client's address, from the connection's ``peer`` and the ``X-Forwarded-For``
    header values (several headers count as one list, in order). ``""`` for no peer."""
    address = parse_address(peer or "")
    if address is None:
        return ""
    hops = [hop for value in forwarded for hop in value.split(",")]
    while _trusted(address) and hops:
        hop = parse_address(hops.pop())
        if hop is None:
            # A trusted proxy wrote something that is no address: stop at the proxy rather
            # than believe anything further left.
            break
        address = hop
    return str(address)


def client_address(request: HttpRequest) -> str:
    """The client of a request (also ``AXES_CLIENT_IP_CALLABLE``)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    return client_from(request.META.get("REMOTE_ADDR", ""), [forwarded] if forwarded else [])


def scope_client_address(scope: dict) -> str:
    """The client of an ASGI connection (websockets)."""
    client = scope.get("client") or ("", 0)
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name.lower() == b"x-forwarded-for"
    ]
    return client_from(client[0] or "", forwarded)


def uvicorn_proxy_args(trusted_proxies: str) -> list[str]:
    """uvicorn's command-line flags for ``TRUSTED_PROXIES`` as the environment holds it (comma
    separated). uvicorn by default believes X-Forwarded-For from 127.0.0.1 and replaces the
    client before Django sees it; so it believes exactly the app's proxies, or none."""
    proxies = ",".join(p.strip() for p in trusted_proxies.split(",") if p.strip())
    if not proxies:
        return ["--no-proxy-headers"]
    return ["--proxy-headers", "--forwarded-allow-ips", proxies]


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a proxy nobody trusts, every request comes from the proxy: the login lock would
    count all clients as one, and one person could lock everybody out."""
    if settings.BEHIND_PROXY and not settings.TRUSTED_PROXIES:
        return [
            checks.Warning(
                "BEHIND_PROXY=1 ohne TRUSTED_PROXIES: alle Anfragen zählen als die des Proxys.",
                hint="TRUSTED_PROXIES auf die Adresse(n) des Proxys setzen, z. B. 127.0.0.1.",
                id="klassenraum.W001",
            )
        ]
    return []
