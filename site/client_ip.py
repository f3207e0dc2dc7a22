"""The reader's address, worked out once per request (`request.client_ip`).

Behind nginx every request comes from 127.0.0.1; rate limits, log-in throttling
and the comment's stored address need the reader's own address, which nginx
puts in X-Real-IP (CLIENT_IP_HEADER=HTTP_X_REAL_IP). Only set it behind a proxy
that overwrites the header, or readers could choose their own address.
"""

from django.conf import settings


def _address_of(request):
    header = settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].strip()
    return request.META.get("REMOTE_ADDR", "")


class ClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = _address_of(request)
        return self.get_response(request)


def client_ip(request):
    """For django-ratelimit and django-axes (RATELIMIT_IP_META_KEY, AXES_CLIENT_IP_CALLABLE)."""
    address = getattr(request, "client_ip", None)
    return address if address is not None else _address_of(request)
