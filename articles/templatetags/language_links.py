from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context):
    """(code, name, address of this page in that language) for every other language."""
    request = context["request"]
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return [
        (code, name, translate_url(request.get_full_path(), code))
        for code, name in settings.LANGUAGES
        if code != current
    ]
