import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.masthead import masthead_sections
from articles.site_urls import absolute_url
from images.pictures import insert_pictures, share_image

register = template.Library()

# Same escapes as django.utils.html.json_script: the JSON can never close the
# <script> element it sits in.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def news_article_json_ld(article, url, comment_count=None):
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
    if comment_count is not None:
        data["commentCount"] = comment_count
    if article.byline_role:
        data["author"]["jobTitle"] = article.byline_role
    if article.author_id:
        data["author"]["url"] = absolute_url(article.author.get_absolute_url())
    if article.section_id:
        data["articleSection"] = article.section.name
    if tags := [tag.name for tag in article.tags.all()]:
        data["keywords"] = tags
    shared = lead_image_meta(article)
    if shared:
        data["image"] = {
            "@type": "ImageObject",
            "url": shared["url"],
            "width": shared["width"],
            "height": shared["height"],
        }
        if article.lead_image.caption:
            data["image"]["caption"] = article.lead_image.caption
        if article.lead_image.credit:
            data["image"]["creditText"] = article.lead_image.credit
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(_JSON_SCRIPT_ESCAPES)
    # The payload is JSON with the HTML-significant characters escaped above.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag
def masthead_section_links():
    """The sections for the masthead: [(name, slug), ...] (see articles/masthead.py)."""
    return masthead_sections()


@register.simple_tag
def lead_image_meta(article):
    """The lead image as social networks and search engines get it (absolute address,
    size, alternative text), or None."""
    image = article.lead_image
    if image is None:
        return None
    url, width, height = share_image(image)
    alt = article.lead_image_alt_text
    return {"url": absolute_url(url), "width": width, "height": height, "alt": alt}


# The article column: 40rem wide at most, the page's padding (2rem) less on a phone.
BODY_IMAGE_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"


@register.simple_tag
def article_body_parts(article):
    """The body's HTML before and after the tips, with its images as <picture>."""
    return insert_pictures(*article.body_html_around_tips(), sizes=BODY_IMAGE_SIZES)
