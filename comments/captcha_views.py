"""django-simple-captcha's image, refresh and audio views, limited per client address.

Every new code writes a row, every image is drawn and every spoken code runs flite: new
codes and spoken ones are capped at CAPTCHA_REFRESH_RATE per address, images at
CAPTCHA_IMAGE_RATE.
"""

from functools import wraps

from captcha.views import captcha_audio, captcha_image, captcha_refresh
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit


def refresh_rate(group, request):
    return settings.CAPTCHA_REFRESH_RATE


def image_rate(group, request):
    return settings.CAPTCHA_IMAGE_RATE


def too_many_codes(request):
    return JsonResponse({"error": _("Too many new codes. Wait a minute.")}, status=429)


def too_many_images(request):
    return HttpResponse(
        _("Too many new codes. Wait a minute."), status=429, content_type="text/plain"
    )


def captcha_rate_limited(group, rate=refresh_rate, refused=too_many_codes):
    def decorate(view):
        @ratelimit(group=group, key="ip", rate=rate, method=ALL, block=False)
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.limited:
                return refused(request)
            return view(request, *args, **kwargs)

        return limited

    return decorate


rate_limited_captcha_refresh = captcha_rate_limited("captcha:refresh")(captcha_refresh)
rate_limited_captcha_audio = captcha_rate_limited("captcha:audio")(captcha_audio)
rate_limited_captcha_image = captcha_rate_limited(
    "captcha:image", rate=image_rate, refused=too_many_images
)(captcha_image)
