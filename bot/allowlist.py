"""The operator's allow-list of private sources: ``[fetch] allow_private``.

A newsroom's CMS or agency gateway lives on 10.x or 192.168.x, which the SSRF guard refuses
for everyone. The operator — never a chat user; the list is read from the config file or the
environment only — names those hosts or networks::

    [fetch]
    allow_private = ["10.1.2.0/24", "cms.internal", "*.wires.corp"]

and only they are opened, only for the kinds of address a LAN uses (RFC 1918, carrier-grade
NAT, IPv6 unique-local). Every other rule of :mod:`bot.fetch` is unchanged: loopback,
link-local, cloud metadata, multicast and reserved addresses stay refused whatever is listed,
every resolved address of a host and every redirect hop is still checked, and a host that
resolves to one listed and one unlisted private address is still refused.

Pure: no I/O; the fetcher asks :meth:`AllowList.permits` for each address it refused.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The address space an entry may open: private networks, carrier-grade NAT, unique-local.
PRIVATE_SPACE: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_HOST = re.compile(r"^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
MAX_ENTRIES = 256


@dataclass(frozen=True)
class AllowList:
    """Listed networks, exact host names and ``*.suffix`` wildcards (lower case, no final dot)."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.networks or self.hosts or self.suffixes)

    def names(self, host: str) -> bool:
        """Is ``host`` (a URL's host name) one the operator listed?"""
        name = host.strip("[]").rstrip(".").lower()
        return name in self.hosts or any(name.endswith(suffix) for suffix in self.suffixes)

    def permits(self, host: str, ip: IPAddress) -> bool:
        """May ``ip``, an address of ``host`` the guard refused, be fetched after all? Only a
        private-space address, and only when the host or a network holding the address is listed."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not any(ip in space for space in PRIVATE_SPACE if space.version == ip.version):
            return False
        return self.names(host) or any(ip in net for net in self.networks if net.version == ip.version)


def parse_allow_list(entries: Iterable[str]) -> AllowList:
    """The config's list, checked; raises ValueError with the entry and the reason."""
    networks: list[IPNetwork] = []
    hosts: set[str] = set()
    suffixes: list[str] = []
    items = list(entries)
    if len(items) > MAX_ENTRIES:
        raise ValueError(f"at most {MAX_ENTRIES} entries")
    for raw in items:
        entry = str(raw).strip().lower().rstrip(".")
        network = _network(entry)
        if network is not None:
            if not any(network.subnet_of(space) for space in PRIVATE_SPACE if space.version == network.version):
                spaces = ", ".join(str(s) for s in PRIVATE_SPACE)
                raise ValueError(f"{raw!r} is not inside a private network ({spaces}); only those can be opened")
            networks.append(network)
        elif _HOST.match(entry) and len(entry) <= 253:
            if entry.startswith("*."):
                suffixes.append(entry[1:])
            else:
                hosts.add(entry)
        else:
            example = "a host name (cms.internal, *.corp.example) or a network (10.1.2.0/24)"
            raise ValueError(f"{raw!r} is neither {example}")
    return AllowList(tuple(networks), frozenset(hosts), tuple(suffixes))


def _network(entry: str) -> IPNetwork | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None
