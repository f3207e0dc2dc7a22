from django.conf import settings


def client_ip(request):
    """The reader's address: from the trusted proxy's header if configured, else the socket's.

    Behind nginx every request comes from 127.0.0.1; rate limits, log-in throttling
    and the comment's stored address need the reader's own address, which nginx
    puts in X-Real-IP (CLIENT_IP_HEADER=HTTP_X_REAL_IP). Only set it behind a proxy
    that overwrites the header, or readers could choose their own address.
    """
    header = settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].strip()
    return request.META.get("REMOTE_ADDR", "")
