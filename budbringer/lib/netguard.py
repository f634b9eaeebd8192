"""Which addresses a server-side fetch may connect to.

Feed URLs are typed by people, so a fetch must never become a way into the
machine itself or the networks behind it. Only public internet addresses are
allowed, plus the hosts and networks an admin lists on purpose.
"""

import ipaddress
import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

_PRIVATE = "is on a private network"
_DOCUMENTATION = "is reserved for documentation examples"
_RESERVED = "is in a reserved range"

# Refused whatever ipaddress.is_global says: its answer changes between Python
# releases (3.11 calls ::808:808, 64:ff9b:1::1 and fec0::1 global). Anything else
# that is not is_global is refused too, as "not a public internet address".
# IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses
# are missing on purpose: they are judged by the IPv4 address inside them.
_REFUSED_NETWORKS: list[tuple[IPv4Network | IPv6Network, str]] = [
    (ipaddress.ip_network(network), why)
    for network, why in [
        ("0.0.0.0/8", "is not a real destination"),
        ("10.0.0.0/8", _PRIVATE),
        ("100.64.0.0/10", "is in the shared carrier-grade NAT range"),
        ("127.0.0.0/8", "is a loopback address of this machine"),
        ("169.254.0.0/16", "is a link-local address"),
        ("172.16.0.0/12", _PRIVATE),
        ("192.0.0.0/24", "is reserved for protocol assignments"),
        ("192.0.2.0/24", _DOCUMENTATION),
        ("192.88.99.0/24", "is the retired 6to4 relay range"),
        ("192.168.0.0/16", _PRIVATE),
        ("198.18.0.0/15", "is reserved for benchmarking"),
        ("198.51.100.0/24", _DOCUMENTATION),
        ("203.0.113.0/24", _DOCUMENTATION),
        ("224.0.0.0/4", "is a multicast address"),
        ("240.0.0.0/4", _RESERVED),  # includes the broadcast address 255.255.255.255
        ("::/128", "is not a real destination"),
        ("::1/128", "is a loopback address of this machine"),
        ("::/96", "is a retired IPv4-compatible address"),
        ("64:ff9b:1::/48", "is in the local-use NAT64 range"),
        ("100::/64", "is in the discard-only range"),
        ("2001::/32", "is a Teredo tunnel address"),
        ("2001:2::/48", "is reserved for benchmarking"),
        ("2001:10::/28", _RESERVED),
        ("2001:20::/28", _RESERVED),
        ("2001:db8::/32", _DOCUMENTATION),
        ("3fff::/20", _DOCUMENTATION),
        ("5f00::/16", _RESERVED),
        ("fc00::/7", _PRIVATE),
        ("fe80::/10", "is a link-local address"),
        ("fec0::/10", "is a retired site-local address"),
        ("ff00::/8", "is a multicast address"),
    ]
]

_NAT64 = IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = IPv6Network("2002::/16")
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
_DECIMAL = re.compile(r"[0-9]+")
_OCTAL = re.compile(r"0[0-7]+")
_HEX = re.compile(r"0x[0-9a-f]*")


class BlockedAddress(Exception):
    """A fetch would connect to an address that is neither public nor allowed."""

    def __init__(self, address: str, host: str, why: str):
        self.address = address
        self.host = host
        self.why = why  # completes "The address 10.0.0.5 ...", e.g. "is on a private network"
        super().__init__(f"{address} {why}")


class AddressPolicy:
    """Public addresses, plus the host names and networks in ``allow``.

    ``allow`` holds exact host names ("intranet.example.com"), addresses and
    networks ("10.1.2.0/24", "fd00::/8"); it raises ValueError for a bad network.
    """

    def __init__(self, allow: list[str] | tuple[str, ...] = ()):
        self.hosts: set[str] = set()
        self.networks: list[IPv4Network | IPv6Network] = []
        for entry in (entry.strip() for entry in allow):
            if not entry:
                continue
            if "/" in entry or _looks_like_address(entry):
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            else:
                self.hosts.add(entry.lower().rstrip("."))

    def check_ip(self, ip: str | IPAddress, host: str = "") -> None:
        """Raise BlockedAddress unless a connection to ``ip`` for ``host`` is allowed."""
        address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
        if host.lower().rstrip(".") in self.hosts or self._in_allowed_network(address):
            return
        why = refusal(address)
        if why:
            raise BlockedAddress(str(address), host, why)

    def _in_allowed_network(self, address: IPAddress) -> bool:
        spellings = [address]
        if isinstance(address, IPv6Address) and address.ipv4_mapped:
            spellings.append(address.ipv4_mapped)
        return any(spelling in network for spelling in spellings for network in self.networks)


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        why = refusal(embedded)
        return f"contains {embedded}, which {why}" if why else None
    for network, why in _REFUSED_NETWORKS:
        if address in network:
            return why
    if not address.is_global:
        return "is not a public internet address"
    return None


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address a mapped, NAT64 or 6to4 IPv6 address leads to."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def _looks_like_address(entry: str) -> bool:
    try:
        ipaddress.ip_address(entry)
    except ValueError:
        return False
    return True


def canonical_host(host: str) -> str:
    """The one spelling of an ASCII URL host, or ValueError.

    IP addresses come back in their standard form, whatever the spelling: IPv4 in
    decimal, octal, hex or short forms ("2130706433", "0177.0.0.1", "0x7f.1") as
    browsers read them (WHATWG URL standard), IPv6 compressed and lower-case, zone
    id kept. Names come back lower-case without the trailing dot. A name whose
    last label is a number must be a valid IPv4 address, so "1.2.3.4.5" and
    "999999999999" are refused instead of being sent to DNS.
    """
    if ":" in host:  # only IPv6 literals contain colons
        return str(IPv6Address(host))
    name = host.lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    if _is_number(labels[-1]):
        return str(_parse_ipv4(labels))
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"not a valid host name: {host!r}")
    return name


def _is_number(label: str) -> bool:
    return bool(_DECIMAL.fullmatch(label) or _HEX.fullmatch(label))


def _parse_ipv4(labels: list[str]) -> IPv4Address:
    """The WHATWG IPv4 parser: one to four numbers, each decimal, 0-octal or 0x-hex."""
    if len(labels) > 4:
        raise ValueError("an IPv4 address has at most four parts")
    numbers = [_parse_ipv4_number(label) for label in labels]
    *head, last = numbers
    if any(number > 255 for number in head) or last >= 256 ** (5 - len(numbers)):
        raise ValueError("an IPv4 address part is out of range")
    value = last
    for position, number in enumerate(head):
        value += number << (8 * (3 - position))
    return IPv4Address(value)


def _parse_ipv4_number(label: str) -> int:
    # Spelled out with patterns: int() alone would also take "1_0", " 7" and "+7".
    if _HEX.fullmatch(label):
        return int(label[2:] or "0", 16)
    if _OCTAL.fullmatch(label):
        return int(label, 8)
    if _DECIMAL.fullmatch(label) and not (len(label) > 1 and label.startswith("0")):
        return int(label)
    raise ValueError(f"not an IPv4 number: {label!r}")
