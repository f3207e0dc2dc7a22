import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.masthead import masthead_sections
from articles.site_urls import absolute_url

register = template.Library()

# Same escapes as django.utils.html.json_script: the JSON can never close the
# <script> element it sits in.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def news_article_json_ld(article, url):
    """schema.org NewsArticle metadata for search engines."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.lead,
        "datePublished": article.published_at,
        "dateModified": article.content_changed_at,
        "mainEntityOfPage": url,
        "inLanguage": "nl",
        "author": {"@type": "Person", "name": article.byline_name},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    if article.byline_role:
        data["author"]["jobTitle"] = article.byline_role
    if article.author_id:
        data["author"]["url"] = absolute_url(article.author.get_absolute_url())
    if article.section_id:
        data["articleSection"] = article.section.name
    if tags := [tag.name for tag in article.tags.all()]:
        data["keywords"] = tags
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(_JSON_SCRIPT_ESCAPES)
    # The payload is JSON with the HTML-significant characters escaped above.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag
def masthead_section_links():
    """The sections for the masthead: [(name, slug), ...] (see articles/masthead.py)."""
    return masthead_sections()
