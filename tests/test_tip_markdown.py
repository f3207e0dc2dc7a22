"""Tips are written in Markdown like the body and sanitised the same way."""

import pytest

from articles.markup import render_tip_html

pytestmark = pytest.mark.django_db


def tips_list(html):
    return html[html.index('<ul class="tips">') : html.index("</ul>", html.index('class="tips"'))]


def test_a_tip_in_markdown_shows_bold_and_links(client, make_article):
    article = make_article(
        tips=["Maak het **duidelijk**, lees [de gids](https://example.nl/gids)."],
    )

    tips = tips_list(client.get(article.get_absolute_url()).content.decode())

    assert "<li>Maak het <strong>duidelijk</strong>, lees " in tips
    assert '<a href="https://example.nl/gids">de gids</a>' in tips
    assert "**" not in tips


def test_a_script_in_a_tip_is_stripped(client, make_article):
    article = make_article(
        tips=[
            'Let op <script>alert("x")</script><img src=x onerror=alert(1)> '
            "[klik](javascript:alert(1))"
        ]
    )

    tips = tips_list(client.get(article.get_absolute_url()).content.decode())

    assert "<script" not in tips
    assert "onerror" not in tips
    assert "<img" not in tips
    assert "javascript:" not in tips


def test_a_tip_of_one_paragraph_sits_in_its_list_item_without_a_paragraph():
    assert render_tip_html("Eén *zin*.") == "Eén <em>zin</em>."
    assert render_tip_html("Eerste.\n\nTweede.") == "<p>Eerste.</p>\n<p>Tweede.</p>"


def test_the_seed_articles_tips_read_as_before(client, seed_article):
    tips = tips_list(client.get(seed_article.get_absolute_url()).content.decode())

    assert "<li>Geef zelf het goede voorbeeld. Gebruik de verschillende sociale kanalen" in tips
    assert tips.count("<li>") == 3
