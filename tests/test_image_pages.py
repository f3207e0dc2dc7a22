"""Images on the pages: <picture> with srcset and sizes, og:image, body images."""

import datetime
import json
import os
import re
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from images.renditions import make_renditions
from tests.test_html_validity import VNU_JAR, vnu_errors


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def lead_picture(html):
    return re.search(r'<figure class="figure article__image">(.*?)</figure>', html, re.S).group(1)


def json_ld(html):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )


def test_the_lead_image_is_a_picture_with_avif_and_a_jpeg_fallback(
    client, make_article, make_image
):
    image = make_image(caption="De heuvels bij Nijmegen", credit="Anna Fotograaf")
    article = make_article(lead_image=image)
    picture = lead_picture(page(client, article))
    avif = [f"{r.file.url} {r.width}w" for r in image.renditions_in("avif")]
    jpeg = [f"{r.file.url} {r.width}w" for r in image.renditions_in("jpeg")]
    sizes = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
    assert f'<source type="image/avif" srcset="{", ".join(avif)}" sizes="{sizes}">' in picture
    fallback = image.renditions.get(format="jpeg", width=640)
    img = re.search(r"<img [^>]*>", picture).group(0)
    assert f'src="{fallback.file.url}"' in img
    assert f'srcset="{", ".join(jpeg)}"' in img
    assert 'width="640" height="360"' in img  # the space is kept: no layout shift
    assert 'alt="Heuvels onder een zomerzon"' in img
    # The largest thing on the page comes first and at once.
    assert 'fetchpriority="high"' in img and "loading=" not in img
    assert "<figcaption>De heuvels bij Nijmegen" in picture
    assert "Anna Fotograaf" in picture


def test_an_article_can_describe_its_lead_image_in_its_own_words(client, make_article, make_image):
    image = make_image()
    article = make_article(lead_image=image, lead_image_alt="De heuvels waar het bedrijf begon")
    html = page(client, article)
    assert 'alt="De heuvels waar het bedrijf begon"' in lead_picture(html)
    assert 'og:image:alt" content="De heuvels waar het bedrijf begon"' in html
    assert "Heuvels onder een zomerzon" not in html
    listing = client.get(reverse("articles:index")).content.decode()
    assert 'alt="De heuvels waar het bedrijf begon"' in listing


def test_before_the_renditions_exist_the_original_is_shown_at_its_size(
    client, make_article, make_image
):
    image = make_image(renditions=False)
    img = re.search(r"<img [^>]*>", lead_picture(page(client, make_article(lead_image=image))))
    assert f'src="{image.file.url}"' in img.group(0)
    assert 'width="1600" height="900"' in img.group(0)
    assert "<source" not in img.string


def test_an_article_without_an_image_has_none(client, seed_article):
    html = page(client, seed_article)
    assert "<picture" not in html and "og:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert "image" not in json_ld(html)


def test_og_image_twitter_card_and_json_ld_come_from_the_lead_image(
    client, make_article, make_image, settings
):
    image = make_image(caption="De heuvels", credit="Anna Fotograaf")
    html = page(client, make_article(lead_image=image))
    shared = image.renditions.get(format="jpeg", width=1280)
    url = settings.SITE_URL + shared.file.url
    assert f'<meta property="og:image" content="{url}">' in html
    assert '<meta property="og:image:width" content="1280">' in html
    assert '<meta property="og:image:height" content="720">' in html
    assert '<meta property="og:image:alt" content="Heuvels onder een zomerzon">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert json_ld(html)["image"] == {
        "@type": "ImageObject",
        "url": url,
        "width": 1280,
        "height": 720,
        "caption": "De heuvels",
        "creditText": "Anna Fotograaf",
    }


def test_an_image_in_the_body_is_a_lazy_figure_or_inline_picture(client, make_article, make_image):
    image = make_image(caption="Onderschrift")
    body = (
        f"Eerste alinea.\n\n![Uitzicht op de heuvels](image:{image.pk})\n\n"
        f"Tekst met ![klein](image:{image.pk}) erin.\n\n![weg](image:999999)\n\n"
        "![spion](https://tracker.example/pixel.png)"
    )
    html = page(client, make_article(body=body))
    body_html = re.search(r'<div class="article__body"[^>]*>(.*?)</div>', html, re.S).group(1)
    figure = re.search(r'<figure class="figure">(.*?)</figure>', body_html, re.S).group(1)
    assert 'alt="Uitzicht op de heuvels"' in figure and 'loading="lazy"' in figure
    assert "<figcaption>Onderschrift" in figure
    assert re.search(r'<p>Tekst met <picture>.*alt="klein".*</picture> erin.</p>', body_html)
    assert "image:" not in body_html  # the unknown image is left out
    assert "tracker.example" not in html and "<p>spion</p>" in body_html


def test_the_listing_shows_a_small_lazy_rendition(client, make_article, make_image):
    image = make_image()
    make_article(lead_image=image)
    html = client.get(reverse("articles:index")).content.decode()
    picture = re.search(r'<picture class="teaser__image">.*?</picture>', html, re.S).group(0)
    assert 'sizes="8rem"' in picture and 'loading="lazy"' in picture
    assert " 320w" in picture and " 640w" in picture and " 960w" not in picture


def test_new_renditions_show_at_once_on_a_cached_page(client, make_article, make_image):
    image = make_image(renditions=False)
    article = make_article(lead_image=image)
    assert "<source" not in page(client, article)
    assert "<source" not in page(client, article)  # now from the cache
    make_renditions(image)
    assert '<source type="image/avif"' in page(client, article)


def test_pages_with_images_use_a_constant_number_of_queries(
    client, make_article, make_image, django_assert_max_num_queries
):
    image = make_image()
    body = "\n\n".join(f"![Foto {n}](image:{image.pk})" for n in range(5))
    articles = [make_article(lead_image=image, body=body) for _ in range(12)]
    with django_assert_max_num_queries(6):
        client.get(reverse("articles:index"))
    # The article page's 12 (tests/test_article_views.py), the lead image's renditions and
    # the body's images with theirs.
    with django_assert_max_num_queries(14):
        client.get(articles[0].get_absolute_url())


@pytest.mark.skipif(
    not (VNU_JAR and os.path.exists(VNU_JAR) and shutil.which("java")),
    reason="set VNU_JAR to the Nu Html Checker's vnu.jar (.ci/run does)",
)
def test_pages_with_images_are_valid_html(client, make_article, make_image, tmp_path):
    image = make_image(caption="Onderschrift", credit="Redactie")
    body = f"Alinea.\n\n![Groot](image:{image.pk})\n\nTekst ![klein](image:{image.pk}) erin."
    # Whole seconds: the <time> element takes at most three decimals.
    published = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    article = make_article(lead_image=image, body=body, published_at=published)
    pages = {
        "home": client.get(reverse("articles:index")).content,
        "article": client.get(article.get_absolute_url()).content,
    }
    assert [error["message"] for error in vnu_errors(tmp_path, pages)] == []
