"""Related articles under an article: same section or shared tags, never itself, only
published, at most four, in one query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Section

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def finance():
    return Section.objects.get(slug="financien")


@pytest.fixture
def marketing():
    return Section.objects.get(slug="marketing")


def related(article):
    article = Article.objects.prefetch_related("tags").get(pk=article.pk)
    return list(Article.objects.related_to(article))


def test_articles_sharing_tags_come_first_then_the_same_section(make_article, finance, marketing):
    article = make_article(section=finance)
    article.tags.add("btw", "zzp")
    two_tags = make_article(section=marketing, published_at=days_ago(30))
    two_tags.tags.add("btw", "zzp")
    one_tag_same_section = make_article(section=finance, published_at=days_ago(20))
    one_tag_same_section.tags.add("btw")
    one_tag = make_article(section=marketing, published_at=days_ago(2))
    one_tag.tags.add("zzp")
    same_section = make_article(section=finance, published_at=days_ago(3))
    make_article(section=marketing).tags.add("iets anders")
    assert related(article) == [two_tags, one_tag_same_section, one_tag, same_section]


def test_never_itself_nor_an_unpublished_article(make_article, finance):
    article = make_article(section=finance)
    make_article(section=finance, status=Article.Status.DRAFT)
    make_article(section=finance, published_at=timezone.now() + datetime.timedelta(days=1))
    assert related(article) == []


def test_without_a_section_only_shared_tags_count(make_article):
    article = make_article()
    article.tags.add("btw")
    tagged = make_article()
    tagged.tags.add("btw")
    make_article()  # no section either, but nothing in common
    assert related(article) == [tagged]


def test_at_most_four_newest_first(make_article, finance):
    article = make_article(section=finance)
    others = [make_article(section=finance, published_at=days_ago(n)) for n in range(2, 8)]
    assert related(article) == others[:4]


def test_an_article_without_section_or_tags_has_none_and_costs_no_query(make_article):
    article = Article.objects.prefetch_related("tags").get(pk=make_article().pk)
    make_article()
    with CaptureQueriesContext(connection) as queries:
        assert list(Article.objects.related_to(article)) == []
    assert len(queries) == 0


def test_one_query_however_many_tags_and_candidates(make_article, finance):
    article = make_article(section=finance)
    article.tags.add(*[f"tag {n}" for n in range(10)])
    for n in range(20):
        make_article(section=finance).tags.add(f"tag {n % 10}")
    article = Article.objects.prefetch_related("tags").get(pk=article.pk)
    with CaptureQueriesContext(connection) as queries:
        assert len(list(Article.objects.related_to(article))) == 4
    assert len(queries) == 1


def test_the_article_page_shows_them_linked(client, seed_article, make_article):
    same_section = make_article(title="Personeel en regels", section=seed_article.section)
    tagged = make_article(title="Meer social media")
    tagged.tags.add("social media")
    make_article(title="Los artikel")
    html = client.get(seed_article.get_absolute_url()).content.decode()
    section = html[html.index('<section class="related"') :]
    section = section[: section.index("</section>")]
    assert '<h2 id="related-heading">' in section
    assert f'href="{tagged.get_absolute_url()}"' in section
    assert f'href="{same_section.get_absolute_url()}"' in section
    assert section.index("Meer social media") < section.index("Personeel en regels")
    assert "Los artikel" not in section
    assert seed_article.get_absolute_url() not in section


def test_an_article_page_without_related_articles_has_no_empty_box(client, make_article):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert 'class="related"' not in html


def test_the_article_page_keeps_a_constant_number_of_queries(
    client, seed_article, make_article, django_assert_max_num_queries
):
    for n in range(10):
        make_article(section=seed_article.section).tags.add("social media", f"extra {n}")
    client.get("/")  # the masthead's sections and the content types, once
    # article, tips, tags, related articles, next scheduled publication, and the
    # discussion's 6 or 7 (tests/test_article_views.py)
    with django_assert_max_num_queries(12):
        client.get(seed_article.get_absolute_url())
