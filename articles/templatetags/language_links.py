from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_versions(context):
    """(code, address of this page in that language, is it this page) for every language."""
    request = context["request"]
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return [
        (code, translate_url(request.get_full_path(), code), code == current)
        for code, _name in settings.LANGUAGES
    ]
