"""A reader's IP address as a keyed hash: what counts one reader without keeping the address."""

import contextlib
import ipaddress

from django.utils.crypto import salted_hmac


def keyed_address(value, *, purpose):
    """A keyed hash of an IP address (an IPv6 address by its /64, the block one subscriber
    is given) or of another value that stands for a reader; "" for none."""
    if not value:
        return ""
    with contextlib.suppress(ValueError):
        ip = ipaddress.ip_address(value)
        if ip.version == 6:
            value = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return salted_hmac(purpose, value).hexdigest()
