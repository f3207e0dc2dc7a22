"""The section, tag and author pages are valid HTML according to the Nu Html Checker."""

from tests.browsing import make_author
from tests.test_html_validity import pytestmark as needs_the_checker
from tests.test_html_validity import vnu_errors

pytestmark = needs_the_checker


def test_section_tag_and_author_pages_have_no_html_errors(client, seed_article, tmp_path):
    author = seed_article.author
    author.photo = "authors/jorie.jpg"
    author.biography = "Eerste alinea.\n\nTweede alinea."
    author.save()
    pages = {
        "section": client.get("/rubriek/ondernemen/").content,
        "empty-section": client.get("/rubriek/marketing/").content,
        "tag": client.get("/tag/social-media/").content,
        "author": client.get(author.get_absolute_url()).content,
        "author-without-articles": client.get(make_author("Nieuw").get_absolute_url()).content,
        "english-section": client.get("/en/rubriek/ondernemen/").content,
    }
    assert all(b"<h1" in html for html in pages.values())
    assert vnu_errors(tmp_path, pages) == []


def test_the_article_with_its_tags_and_related_articles_has_no_html_errors(
    client, seed_article, make_article, tmp_path
):
    make_article(section=seed_article.section).tags.add("social media")
    html = client.get(seed_article.get_absolute_url()).content
    assert b'class="related"' in html
    assert b'class="article__tags"' in html
    assert vnu_errors(tmp_path, {"article": html}) == []
