from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation

register = template.Library()


def _address_in(path, code, current):
    """This page's address in another language; its home page where the page has none (a 404)."""
    address = translate_url(path, code)
    if address == path and code != current:
        with translation.override(code):
            return reverse("articles:index")
    return address


@register.simple_tag(takes_context=True)
def language_versions(context):
    """(code, address of this page in that language, is it this page) for every language."""
    request = context["request"]
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return [
        (code, _address_in(request.get_full_path(), code, current), code == current)
        for code, _name in settings.LANGUAGES
    ]
