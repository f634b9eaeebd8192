"""The address policy, and every spelling of a forbidden address refused through fetch().

No server is needed: refusal happens before any connection is made. The resolver
passed in fails the test if it is asked about a numeric host, so no spelling of
an address ever reaches DNS.
"""

import pytest

from budbringer.lib.guarded_http import FetchError, fetch
from budbringer.lib.netguard import AddressPolicy, BlockedAddress, canonical_host

NO_ALLOW = AddressPolicy([])


def no_dns(host, port):
    raise AssertionError(f"{host} should not have been looked up")


def refusal_of(url, policy=NO_ALLOW, resolver=no_dns):
    with pytest.raises(FetchError) as caught:
        fetch(url, policy=policy, resolver=resolver, timeout=5)
    return caught.value


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.0.0.5", "private network"),
        ("172.16.0.1", "private network"),
        ("172.31.255.255", "private network"),
        ("192.168.1.1", "private network"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("0.0.0.0", "not a real destination"),  # noqa: S104 (an address, not a bind)
        ("0.1.2.3", "not a real destination"),
        ("255.255.255.255", "reserved"),
        ("240.0.0.1", "reserved"),
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("192.0.2.10", "documentation"),
        ("198.51.100.10", "documentation"),
        ("203.0.113.10", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("192.0.0.9", "protocol assignments"),
        ("192.88.99.1", "6to4 relay"),
        ("::1", "loopback"),
        ("::", "not a real destination"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private network"),
        ("fd12:3456::1", "private network"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("3fff::1", "documentation"),
        ("2001::1", "Teredo"),
        ("2001:2::1", "benchmarking"),
        ("100::1", "discard-only"),
        ("64:ff9b:1::a00:1", "local-use NAT64"),
        ("::7f00:1", "IPv4-compatible"),  # ::127.0.0.1
        ("::808:808", "IPv4-compatible"),  # ::8.8.8.8, public inside but retired
        ("::ffff:127.0.0.1", "contains 127.0.0.1, which is a loopback"),
        ("::ffff:10.0.0.1", "contains 10.0.0.1, which is on a private network"),
        ("::ffff:169.254.169.254", "contains 169.254.169.254, which is a link-local"),
        ("64:ff9b::7f00:1", "contains 127.0.0.1, which is a loopback"),
        ("64:ff9b::a9fe:a9fe", "contains 169.254.169.254"),
        ("2002:7f00:1::1", "contains 127.0.0.1, which is a loopback"),
        ("2002:c0a8:101::1", "contains 192.168.1.1, which is on a private network"),
    ],
)
def test_non_public_addresses_are_refused(address, why):
    with pytest.raises(BlockedAddress) as caught:
        NO_ALLOW.check_ip(address, "feeds.example.com")
    assert why in caught.value.why
    assert caught.value.host == "feeds.example.com"
    # The same through fetch(), typed as a URL host or given by DNS for a name.
    host = f"[{address}]" if ":" in address else address
    error = refusal_of(f"http://{host}/feed.xml")
    assert error.reason == "blocked_address"
    assert why in error.message
    error = refusal_of("http://feeds.example.com/", resolver=lambda host, port: [address])
    assert error.reason == "blocked_address"
    assert error.message.startswith(f"The address {caught.value.address} of feeds.example.com ")


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "1.1.1.1",
        "8.8.8.8",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82a::200e",
        "::ffff:8.8.8.8",  # mapped, leads to a public address
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8, as an IPv6-only host reaches IPv4 sites
        "2002:808:808::1",  # 6to4 of 8.8.8.8
    ],
)
def test_policy_accepts_public_addresses(address):
    NO_ALLOW.check_ip(address, "feeds.example.com")  # does not raise


def test_allowed_networks_open_exactly_their_addresses():
    policy = AddressPolicy(["10.1.2.0/24", "fd00::/8", "192.168.7.7"])
    policy.check_ip("10.1.2.200", "anything.example")
    policy.check_ip("::ffff:10.1.2.200", "anything.example")  # same address, mapped
    policy.check_ip("fd00::5", "")
    policy.check_ip("192.168.7.7", "")
    for outside in ["10.1.3.1", "192.168.7.8", "fc00::1", "127.0.0.1"]:
        with pytest.raises(BlockedAddress):
            policy.check_ip(outside, "anything.example")


def test_allowed_host_names_open_whatever_they_resolve_to_and_nothing_else():
    policy = AddressPolicy(["Intranet.Example.com."])
    policy.check_ip("10.9.9.9", "intranet.example.com")
    policy.check_ip("10.9.9.9", "INTRANET.example.com.")
    with pytest.raises(BlockedAddress):
        policy.check_ip("10.9.9.9", "other.example.com")
    with pytest.raises(BlockedAddress):
        policy.check_ip("10.9.9.9", "sub.intranet.example.com")


def test_a_bad_network_in_the_allow_list_is_an_error():
    with pytest.raises(ValueError):
        AddressPolicy(["10.0.0.0/33"])


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",  # decimal
        "0177.0.0.1",  # octal
        "0x7f.0.0.1",  # hex
        "0X7F.0.0.1",  # upper-case hex
        "0x7f000001",
        "017700000001",
        "127.1",  # short forms
        "127.0.1",
        "0x7f.1",  # mixed
        "0177.0.0x1",
        "127.0.0.1.",  # trailing dot
        "127.000.000.001",
        "%31%32%37.0.0.1",  # percent-encoded
        "127.0.0.2",
        "[::1]",
        "[0:0:0:0:0:0:0:1]",
        "[::ffff:127.0.0.1]",
        "[::FFFF:7F00:1]",
        "[0:0:0:0:0:ffff:7f00:1]",
        "[::127.0.0.1]",
        "[64:ff9b::127.0.0.1]",
        "[2002:7f00:1::]",
        "[::1%25lo]",  # zone id
    ],
)
def test_every_spelling_of_loopback_is_refused_before_connecting(host):
    error = refusal_of(f"http://{host}:8080/feed.xml")
    assert error.reason == "blocked_address"
    assert error.permanent
    assert "BUDBRINGER_FETCH_ALLOW" in error.message
    assert "127.0.0" in error.message or "::1" in error.message or "7f00:1" in error.message


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("012.0.0.1", "10.0.0.1"),
        ("167772161", "10.0.0.1"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("[fe80::1%25eth0]", "fe80::1%eth0"),
        ("[FD00::1]", "fd00::1"),
        ("0", "0.0.0.0"),  # noqa: S104 (an address, not a bind)
        ("0x", "0.0.0.0"),  # noqa: S104
        ("100.64.1", "100.64.0.1"),
        ("[::ffff:a9fe:a9fe]", "::ffff:a9fe:a9fe"),
    ],
)
def test_other_forbidden_addresses_are_refused_in_any_spelling(host, address):
    error = refusal_of(f"https://{host}/feed.xml")
    assert error.reason == "blocked_address"
    assert f"The address {address} " in error.message


@pytest.mark.parametrize(
    "host", ["999999999999", "1.2.3.4.5", "256.0.0.1", "08.0.0.1", "1_0.0.0.1", "example.123"]
)
def test_hosts_that_end_in_a_number_but_are_no_address_are_bad_urls(host):
    # Browsers refuse these too; sending them to DNS would only invite surprises.
    error = refusal_of(f"http://{host}/")
    assert error.reason == "bad_url"
    assert error.permanent


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7F.1", "127.0.0.1"),
        ("1.65535", "1.0.255.255"),
        ("8.8.8.8.", "8.8.8.8"),
        ("Feeds.Example.COM.", "feeds.example.com"),
        ("0:0:0:0:0:FFFF:7F00:1", "::ffff:7f00:1"),
    ],
)
def test_canonical_host_gives_one_spelling(host, expected):
    assert canonical_host(host) == expected


def test_a_public_numeric_spelling_is_fetched_from_the_address_it_means(refused_connections):
    # 0x5db8d70e is 93.184.215.14, a public address: allowed, and connected to as such.
    error = refusal_of("http://0x5db8d70e/feed.xml")
    assert error.reason == "connection"
    assert error.message.startswith("Could not connect to 93.184.215.14: ")
    assert refused_connections == [("93.184.215.14", 80)]


def test_names_resolving_to_private_addresses_are_refused():
    error = refusal_of(
        "http://router.example.com/feed.xml", resolver=lambda host, port: ["192.168.1.1"]
    )
    assert error.reason == "blocked_address"
    assert error.message == (
        "The address 192.168.1.1 of router.example.com is on a private network; "
        "add it to BUDBRINGER_FETCH_ALLOW to fetch it."
    )


def test_the_default_policy_comes_from_settings(settings, refused_connections):
    settings.FETCH_ALLOW = []
    assert refusal_of("http://10.0.0.1/", policy=None).reason == "blocked_address"
    settings.FETCH_ALLOW = ["10.0.0.0/8"]
    assert refusal_of("http://10.0.0.1/", policy=None).reason == "connection"
    assert refused_connections == [("10.0.0.1", 80)]
