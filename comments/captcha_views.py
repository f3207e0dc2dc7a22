"""django-simple-captcha's refresh and audio views, limited per client address.

Every new code writes a row, and every spoken code runs flite: both are capped at
CAPTCHA_REFRESH_RATE per address.
"""

from functools import wraps

from captcha.views import captcha_audio, captcha_refresh
from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit


def refresh_rate(group, request):
    return settings.CAPTCHA_REFRESH_RATE


def captcha_rate_limited(group):
    def decorate(view):
        @ratelimit(group=group, key="ip", rate=refresh_rate, method=ALL, block=False)
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.limited:
                return JsonResponse({"error": _("Too many new codes. Wait a minute.")}, status=429)
            return view(request, *args, **kwargs)

        return limited

    return decorate


rate_limited_captcha_refresh = captcha_rate_limited("captcha:refresh")(captcha_refresh)
rate_limited_captcha_audio = captcha_rate_limited("captcha:audio")(captcha_audio)
