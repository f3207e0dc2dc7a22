"""RSS and Atom feeds of the comments: per article and site-wide.

A feed holds what the article page shows and counts, newest first: never a held,
removed or spam comment, never an e-mail address, never a draft's discussion.
"""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles.models import Article
from comments.feeds import FEED_SIZE
from comments.models import Comment
from comments.moderation import remove_comments
from tests.html_audit import assert_comment_html_is_inert

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
START = timezone.now() - datetime.timedelta(hours=12)


def add_comment(article, name, text="Tekst", parent=None, minutes=0, **fields):
    comment = Comment(
        content_type=ContentType.objects.get_for_model(Article),
        object_pk=str(article.pk),
        site_id=1,
        user_name=name,
        user_email=f"{name.lower().replace(' ', '.')}@example.nl",
        comment=text,
        submit_date=START + datetime.timedelta(minutes=minutes),
        parent_id=parent.pk if parent else 0,
        **fields,
    )
    comment.save()
    return comment


def rss_url(article):
    return reverse("comments:article-feed-rss", args=[article.pk])


def atom_url(article):
    return reverse("comments:article-feed-atom", args=[article.pk])


def parse_xml(content):
    """Parse a feed as XML: it fails unless the feed is well-formed."""
    return ET.fromstring(content)  # noqa: S314 - the site's own output, not untrusted input


def get_xml(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    return parse_xml(response.content), response.content.decode()


def rss_items(client, url):
    root, body = get_xml(client, url, "application/rss+xml")
    assert root.tag == "rss"
    return root.find("channel"), root.findall("channel/item"), body


def atom_entries(client, url):
    root, body = get_xml(client, url, "application/atom+xml")
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry"), body


def expected_title(comment, article):
    with translation.override("nl"):
        return gettext("%(name)s on %(title)s") % {
            "name": comment.user_name,
            "title": article.title,
        }


def expected_description(comment):
    """The stored sanitised HTML; an empty comment reads as on the page."""
    if comment.comment_html:
        return comment.comment_html
    with translation.override("nl"):
        return f'<p class="comment__removed">{gettext("This comment has been removed.")}</p>'


def anchor_url(settings, comment, article):
    """A comment's permalink: it sends the reader on to the page that shows it now."""
    return f"{settings.SITE_URL}/reacties/{comment.pk}/"


def page_count(client, article):
    """The number of comments the article page states in the heading of its discussion."""
    html = client.get(article.get_absolute_url()).content.decode()
    return int(re.search(r'<span class="discussion__count">\((\d+)\)</span>', html).group(1))


# Per-article feed


def test_article_rss_feed_lists_the_seed_comments_newest_first(client, seed_article, settings):
    channel, items, _body = rss_items(client, rss_url(seed_article))
    comments = list(Comment.objects.for_article(seed_article).order_by("-submit_date", "-pk"))
    assert len(comments) == 5

    assert channel.findtext("link") == settings.SITE_URL + seed_article.get_absolute_url()
    assert channel.findtext("language") == "nl"
    assert seed_article.title in channel.findtext("title")
    assert [item.findtext("link") for item in items] == [
        anchor_url(settings, comment, seed_article) for comment in comments
    ]
    for item, comment in zip(items, comments, strict=True):
        assert item.findtext("title") == expected_title(comment, seed_article)
        assert item.findtext("description") == expected_description(comment)
        assert item.findtext(DC_CREATOR) == comment.user_name
        assert item.findtext("guid") == anchor_url(settings, comment, seed_article)
        assert item.findtext("pubDate") == comment.submit_date.strftime(
            "%a, %d %b %Y %H:%M:%S +0000"
        )
        assert item.find("author") is None  # RSS <author> would be an e-mail address
    # Sonja's empty seed comment reads as on the page.
    assert items[-1].findtext(DC_CREATOR) == "Sonja"
    assert "Deze reactie is verwijderd." in items[-1].findtext("description")


def test_article_atom_feed_has_the_same_entries(client, seed_article, settings):
    root, entries, _body = atom_entries(client, atom_url(seed_article))
    comments = list(Comment.objects.for_article(seed_article).order_by("-submit_date", "-pk"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    # Its own id, not the article's URL (the id of the article's entry in the news feed).
    assert root.findtext(f"{ATOM}id") == settings.SITE_URL + atom_url(seed_article)
    assert len(entries) == len(comments)
    for entry, comment in zip(entries, comments, strict=True):
        link = anchor_url(settings, comment, seed_article)
        assert entry.findtext(f"{ATOM}title") == expected_title(comment, seed_article)
        assert entry.find(f"{ATOM}link").get("href") == link
        assert entry.findtext(f"{ATOM}id") == link
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == comment.user_name
        assert entry.find(f"{ATOM}author/{ATOM}email") is None
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        assert summary.text == expected_description(comment)
        assert entry.findtext(f"{ATOM}published") == comment.submit_date.isoformat()
        assert entry.findtext(f"{ATOM}updated") == comment.submit_date.isoformat()


def test_feeds_never_contain_an_email_address(client, make_article):
    article = make_article()
    add_comment(article, "Anna Jansen", "Mail me gerust.")
    add_comment(article, "Bram", minutes=1)
    for url in [
        rss_url(article),
        atom_url(article),
        reverse("comments:feed-rss"),
        reverse("comments:feed-atom"),
    ]:
        body = client.get(url).content.decode()
        assert "Anna Jansen" in body
        assert "@" not in body, url


def test_held_removed_and_spam_comments_never_appear(client, make_article, settings):
    article = make_article()
    shown = add_comment(article, "Zichtbaar", "Zichtbare reactie", minutes=0)
    held = add_comment(article, "Wachtend", "Wachtende reactie", minutes=1, is_public=False)
    removed = add_comment(article, "Verwijderd", "Verwijderde reactie", minutes=2)
    spam = add_comment(article, "Spammer", "Koop nu", minutes=3)
    remove_comments(Comment.objects.filter(pk=removed.pk))
    remove_comments(Comment.objects.filter(pk=spam.pk), spam=True)
    # A visible reply to the held comment: the page shows a placeholder for its parent.
    reply = add_comment(article, "Antwoord", "Antwoord op wachtend", parent=held, minutes=4)

    for url in [rss_url(article), atom_url(article)]:
        body = client.get(url).content.decode()
        for hidden in [held, removed, spam]:
            assert hidden.user_name not in body, url
            assert hidden.comment not in body, url
            assert f"/reacties/{hidden.pk}/" not in body, url
    _channel, items, _body = rss_items(client, rss_url(article))
    assert [item.findtext("link") for item in items] == [
        anchor_url(settings, reply, article),
        anchor_url(settings, shown, article),
    ]
    for url in [reverse("comments:feed-rss"), reverse("comments:feed-atom")]:
        body = client.get(url).content.decode()
        assert "Zichtbare reactie" in body
        for hidden in [held, removed, spam]:
            assert hidden.comment not in body, url


def test_the_feed_counts_what_the_page_counts(client, make_article):
    article = make_article()
    first = add_comment(article, "Een", minutes=0)
    add_comment(article, "Twee", parent=first, minutes=1)
    held = add_comment(article, "Drie", minutes=2, is_public=False)
    add_comment(article, "Vier", parent=held, minutes=3)
    gone = add_comment(article, "Vijf", minutes=4)
    add_comment(article, "Zes", parent=gone, minutes=5)
    remove_comments(Comment.objects.filter(pk=gone.pk))

    _channel, items, _body = rss_items(client, rss_url(article))
    _root, entries, _body = atom_entries(client, atom_url(article))
    assert len(items) == len(entries) == page_count(client, article) == 4
    seed_count = page_count(client, Article.objects.get(pk=1))
    assert len(rss_items(client, reverse("comments:article-feed-rss", args=[1]))[1]) == seed_count


def test_article_feed_holds_the_newest_fifty(client, make_article):
    article = make_article()
    comments = [add_comment(article, f"Lezer {n}", minutes=n) for n in range(FEED_SIZE + 5)]
    _channel, items, _body = rss_items(client, rss_url(article))
    assert FEED_SIZE == 50
    assert len(items) == FEED_SIZE
    newest = comments[::-1][:FEED_SIZE]
    assert [item.findtext(DC_CREATOR) for item in items] == [c.user_name for c in newest]


def test_comment_html_is_the_stored_sanitised_html(client, make_article):
    article = make_article()
    comment = add_comment(
        article,
        "Hacker",
        "<script>alert(1)</script><img src=x onerror=alert(2)> **vet** "
        '<a href="javascript:x">a</a>',
    )
    _channel, items, body = rss_items(client, rss_url(article))
    assert items[0].findtext("description") == comment.comment_html
    assert_comment_html_is_inert(items[0].findtext("description"))
    assert "<script" not in body  # and the XML escapes whatever HTML there is


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + datetime.timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_feeds_of_unpublished_articles_are_not_found(client, staff_client, make_article, fields):
    article = make_article(**fields)
    add_comment(article, "Vroege lezer", "Nog niet te zien")
    for url in [rss_url(article), atom_url(article)]:
        assert client.get(url).status_code == 404
        assert staff_client.get(url).status_code == 404  # no preview of a feed
    for url in [reverse("comments:feed-rss"), reverse("comments:feed-atom")]:
        assert "Nog niet te zien" not in client.get(url).content.decode()


def test_feed_of_a_missing_article_is_not_found(client):
    assert client.get(reverse("comments:article-feed-rss", args=[999_999])).status_code == 404


def test_article_feed_without_comments_is_valid_and_empty(client, make_article):
    article = make_article()
    channel, items, _body = rss_items(client, rss_url(article))
    assert items == []
    assert article.title in channel.findtext("title")
    _root, entries, _body = atom_entries(client, atom_url(article))
    assert entries == []


# The article page links its feed


def test_article_page_links_its_comment_feeds(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    head = html.split("</head>", 1)[0]
    rss, atom = rss_url(seed_article), atom_url(seed_article)
    assert re.search(
        rf'<link rel="alternate" type="application/rss\+xml" title="[^"]+" href="{rss}">', head
    )
    assert re.search(
        rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{atom}">', head
    )
    discussion = html.split('id="reacties"', 1)[1]
    assert f'<a class="discussion__feed" href="{rss}">' in discussion


def test_preview_of_a_draft_links_no_feed(staff_client, make_article):
    article = make_article(status=Article.Status.DRAFT)
    html = staff_client.get(article.get_absolute_url()).content.decode()
    assert "/feed/" in html  # the news feeds of base.html
    assert rss_url(article) not in html
    assert atom_url(article) not in html


# Site-wide feed


def test_latest_comments_feed_spans_published_articles_newest_first(client, make_article, settings):
    one, two = make_article(), make_article()
    draft = make_article(status=Article.Status.DRAFT)
    a = add_comment(one, "Anna", minutes=10)
    b = add_comment(two, "Bram", minutes=20)
    c = add_comment(one, "Cor", parent=a, minutes=30)
    add_comment(draft, "Dirk", "Onder een concept", minutes=40)

    channel, items, body = rss_items(client, reverse("comments:feed-rss"))
    assert channel.findtext("link") == settings.SITE_URL + "/"
    links = [item.findtext("link") for item in items]
    assert links[:3] == [
        anchor_url(settings, c, one),
        anchor_url(settings, b, two),
        anchor_url(settings, a, one),
    ]
    assert items[0].findtext("title") == expected_title(c, one)
    assert items[1].findtext("title") == expected_title(b, two)
    # The seed article's five comments are older (2012) and follow.
    assert len(items) == 3 + 5
    assert "Onder een concept" not in body
    assert all(draft.get_absolute_url() not in link for link in links)

    root, entries, _body = atom_entries(client, reverse("comments:feed-atom"))
    assert root.findtext(f"{ATOM}id") == settings.SITE_URL + reverse("comments:feed-atom")
    assert [entry.find(f"{ATOM}link").get("href") for entry in entries] == links
    assert all(entry.findtext(f"{ATOM}updated") for entry in entries)  # required by RFC 4287


def test_latest_comments_feed_holds_the_newest_fifty(client, make_article):
    articles = [make_article() for _ in range(3)]
    for n in range(FEED_SIZE + 5):
        add_comment(articles[n % 3], f"Lezer {n}", minutes=n)
    _channel, items, _body = rss_items(client, reverse("comments:feed-rss"))
    assert len(items) == FEED_SIZE
    assert items[0].findtext(DC_CREATOR) == f"Lezer {FEED_SIZE + 4}"
    assert items[-1].findtext(DC_CREATOR) == "Lezer 5"


def feed_queries(client, url):
    client.get(url)  # warm the content type and site caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    parse_xml(response.content)
    return len(queries)


@pytest.mark.parametrize("feed", ["comments:feed-rss", "comments:feed-atom"])
def test_latest_comments_feed_takes_constant_queries(client, make_article, feed):
    Comment.objects.all().delete()
    url = reverse(feed)
    articles = [make_article() for _ in range(10)]
    for n in range(5):
        add_comment(articles[n], f"Lezer {n}", minutes=n)
    with_five = feed_queries(client, url)
    for n in range(5, 50):
        add_comment(articles[n % 10], f"Lezer {n}", minutes=n)
    with_fifty = feed_queries(client, url)
    assert with_five == with_fifty <= 2  # the comments, then their articles in one query


def test_article_feed_takes_constant_queries(client, make_article):
    article = make_article()
    url = rss_url(article)
    for n in range(5):
        add_comment(article, f"Lezer {n}", minutes=n)
    with_five = feed_queries(client, url)
    for n in range(5, 50):
        add_comment(article, f"Lezer {n}", minutes=n)
    assert feed_queries(client, url) == with_five <= 2  # the article, then its comments
