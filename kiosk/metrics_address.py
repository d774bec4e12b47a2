"""Where the kiosk may serve its metrics (config.yaml's ops.metrics_address and metrics_allow).

Loopback by default; a LAN address only together with an allowlist of scrapers, and then one
named address, never every interface. Below config (which validates config.yaml with these)
and the operations stage (which serves the metrics), so that neither imports the other.
"""

from __future__ import annotations

import ipaddress

DEFAULT_METRICS_ADDRESS = "127.0.0.1"
DEFAULT_METRICS_PORT = 9108


def check_loopback(address: str, error: type[ValueError] = ValueError) -> str:
    """The address if it is a loopback IP (or "localhost", read as 127.0.0.1); else `error`."""
    if address == "localhost":
        return DEFAULT_METRICS_ADDRESS
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is None or not ip.is_loopback:
        raise error(
            f"metrics address {address!r} is not a loopback address; use "
            f"{DEFAULT_METRICS_ADDRESS} (this machine only; read them remotely through an SSH "
            "tunnel), or give ops.metrics_allow, the scrapers' addresses, with a LAN address"
        )
    return address


def check_metrics_address(
    address: str, allow: tuple[str, ...] = (), error: type[ValueError] = ValueError
) -> str:
    """The address to serve metrics on: loopback, or with a non-empty allowlist of scrapers
    (`allow`), one named address of this machine (never 0.0.0.0 or ::, every interface)."""
    if not allow:
        return check_loopback(address, error)
    if address == "localhost":
        return DEFAULT_METRICS_ADDRESS
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise error(f"metrics address {address!r} is not an IP address; name this kiosk's "
                    "LAN address, e.g. 10.20.0.11, or use 127.0.0.1") from None  # fmt: skip
    if ip.is_unspecified:
        raise error(f"metrics address {address!r} means every interface; name the one LAN "
                    "address the fleet's Prometheus scrapes, e.g. 10.20.0.11")  # fmt: skip
    return address


def metrics_networks(
    allow: tuple[str, ...], error: type[ValueError] = ValueError
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The allowlist as networks ("10.20.0.5" is the network of that one address)."""
    networks = []
    for entry in allow:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise error(f"metrics allowlist entry {entry!r} is not an IP address or network; "
                        "write e.g. 10.20.0.5 or 10.20.0.0/28") from None  # fmt: skip
    return tuple(networks)
