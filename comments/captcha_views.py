from captcha.views import captcha_audio, captcha_refresh
from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


def rate_limited_captcha_refresh(request):
    """django-simple-captcha's refresh, with a limit per client address on new codes."""
    if is_ratelimited(
        request,
        group="captcha:refresh",
        key="ip",
        rate=settings.CAPTCHA_REFRESH_RATE,
        method=["GET", "POST"],
        increment=True,
    ):
        return JsonResponse({"error": _("Too many new codes. Wait a minute.")}, status=429)
    return captcha_refresh(request)


def rate_limited_captcha_audio(request, key):
    """The spoken code (each request runs flite), with the same limit per address."""
    if is_ratelimited(
        request,
        group="captcha:audio",
        key="ip",
        rate=settings.CAPTCHA_REFRESH_RATE,
        method=["GET", "HEAD"],
        increment=True,
    ):
        return JsonResponse({"error": _("Too many new codes. Wait a minute.")}, status=429)
    return captcha_audio(request, key)
