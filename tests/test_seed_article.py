"""The seed article reads word for word as the original page (shared/seed)."""

import html as html_lib
import re
from pathlib import Path

import pytest
from django.utils import timezone

SEED_PAGE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article-page.txt"

pytestmark = pytest.mark.django_db


def visible_text(html):
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def test_seed_article_is_published_on_10_may_2012(seed_article):
    local = timezone.localtime(seed_article.published_at)
    assert (local.year, local.month, local.day) == (2012, 5, 10)
    assert seed_article.is_published
    assert seed_article.author_name == "Jorie Post"
    assert seed_article.author_role == "Senior Account Executive bij LEWIS PR"


def test_article_page_shows_title_date_and_headings_in_order(client, seed_article):
    response = client.get(seed_article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 lang="nl">Drie tips voor social mediarichtlijnen</h1>' in html
    assert "10 mei 2012" in html
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[:4] == [
        "Zakelijk versus privé",
        "Social media-regels",
        "Praktische tips",
        "Social media richtlijnen",
    ]
    assert "Ondernemen met de beste ondersteuning" in html
    assert ">Nieuws</a>" in html


def test_tips_are_listed_in_order_under_praktische_tips(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    tips_list = re.search(r'<ul class="tips">(.*?)</ul>', html, flags=re.S).group(1)
    tips = re.findall(r"<li>(.*?)</li>", tips_list)
    assert [tip[:30] for tip in tips] == [
        "Geef aan hoe u denkt over het ",
        "Stel een social media manager ",
        "Geef zelf het goede voorbeeld.",
    ]
    assert html.index("Praktische tips") < html.index('<ul class="tips">')
    assert html.index('<ul class="tips">') < html.index("<h2>Social media richtlijnen</h2>")


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="shared/seed is not beside the checkout")
def test_every_paragraph_of_the_seed_page_appears_word_for_word(client, seed_article):
    page = visible_text(client.get(seed_article.get_absolute_url()).content.decode())
    source = SEED_PAGE.read_text(encoding="utf-8")
    article_text = source.split("Doorsturen")[0]
    paragraphs = [line.strip(" •") for line in article_text.splitlines() if len(line) > 60]
    assert len(paragraphs) >= 10
    for paragraph in paragraphs:
        paragraph = paragraph.removeprefix("10 mei 2012 - ")
        assert re.sub(r"\s+", " ", paragraph).strip() in page
