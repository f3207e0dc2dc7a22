"""Editors write Markdown; only safe, simple HTML is stored."""

import pytest

from articles.markup import render_article_html


def test_markdown_headings_lists_emphasis_and_links_survive():
    html = render_article_html(
        "## Kop\n\nTekst met *nadruk*, **vet** en [een link](https://example.nl).\n\n- een\n- twee"
    )
    assert "<h2>Kop</h2>" in html
    assert "<em>nadruk</em>" in html
    assert "<strong>vet</strong>" in html
    assert '<a href="https://example.nl">een link</a>' in html
    assert "<ul>\n<li>een</li>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        '<a href="javascript:alert(1)">klik</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p style="color:red" onclick="x()">tekst</p>',
    ],
)
def test_dangerous_markup_is_removed(source):
    html = render_article_html(source)
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "style=" not in html


def test_body_html_is_rendered_when_the_article_is_saved(make_article):
    article = make_article(body="Hallo *wereld*")
    assert article.body_html == "<p>Hallo <em>wereld</em></p>"
    article.body = "Nieuw"
    article.save()
    article.refresh_from_db()
    assert article.body_html == "<p>Nieuw</p>"


def test_tips_go_where_the_body_puts_them(make_article):
    article = make_article(body="Voor.\n\n[tips]\n\nNa.", tips=["Eerste tip"])
    before, after = article.body_html_around_tips()
    assert before.strip() == "<p>Voor.</p>"
    assert after.strip() == "<p>Na.</p>"


def test_raw_html_images_in_the_body_leave_nothing_behind():
    from articles.markup import render_article_html

    html = render_article_html('Tekst <img src=x onerror="alert(1)"> en ![Foto](image:7)')
    assert html.count("<img") == 1
    assert '<img alt="Foto" src="image:7">' in html or '<img src="image:7" alt="Foto">' in html
