"""Busy discussions: threads paged and sorted, "Toon nog", permalinks that find their
comment, "Waardevol", editors' picks and the endpoints that tell the page it has grown."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.page_cache import invalidate_pages
from comments.models import Comment, Recommendation
from comments.moderation import pick_comments
from tests.conftest import post_url

SAME_ORIGIN = {"Origin": "http://testserver"}
START = timezone.now() - timedelta(days=1)


def add_comment(article, name, *, parent=None, minute=0, **fields):
    comment = Comment(
        content_type=ContentType.objects.get_for_model(Article),
        object_pk=str(article.pk),
        site_id=1,
        user_name=name,
        user_email=f"{name.lower().replace(' ', '.')}@example.nl",
        comment=f"Tekst van {name}",
        submit_date=START + timedelta(minutes=minute),
        parent_id=parent.pk if parent else 0,
        **fields,
    )
    comment.save()
    return comment


def threads(article, count, *, replies=0):
    """`count` top-level comments a minute apart, each with `replies` replies."""
    roots = []
    for number in range(count):
        root = add_comment(article, f"Lezer {number}", minute=number * 10)
        for reply in range(replies):
            add_comment(article, f"Antwoord {number}-{reply}", parent=root, minute=number * 10 + 1)
        roots.append(root)
    return roots


def shown_ids(html):
    return [int(pk) for pk in re.findall(r'<li(?: class="[^"]*")? id="c(\d+)"', html)]


def page(client, article, query=""):
    response = client.get(f"{article.get_absolute_url()}{query}")
    assert response.status_code == 200
    return response.content.decode()


# Paging and sorting


def test_threads_are_paged_25_at_a_time_with_links_at_the_top_and_bottom(client, make_article):
    article = make_article()
    roots = threads(article, 30)
    first = page(client, article)
    assert shown_ids(first) == [root.pk for root in roots[:25]]
    assert first.count('class="discussion__pages"') == 2
    assert '<a class="discussion__page" rel="next" href="?pagina=2#reacties">' in first
    second = page(client, article, "?pagina=2")
    assert shown_ids(second) == [root.pk for root in roots[25:]]
    assert 'aria-current="page" href="?pagina=2#reacties"' in second
    # The count is the whole discussion's, on every page.
    assert 'class="discussion__count">(30)' in first
    assert 'class="discussion__count">(30)' in second


def test_a_page_past_the_end_or_not_a_number_shows_a_real_page(client, make_article):
    article = make_article()
    roots = threads(article, 30)
    assert shown_ids(page(client, article, "?pagina=99")) == [root.pk for root in roots[25:]]
    assert shown_ids(page(client, article, "?pagina=%C2%B2"))[0] == roots[0].pk


def test_newest_first_and_most_valued_orders_are_in_the_address_and_kept_while_paging(
    client, make_article
):
    article = make_article()
    roots = threads(article, 30)
    newest = page(client, article, "?volgorde=nieuwste")
    assert shown_ids(newest) == [root.pk for root in reversed(roots)][:25]
    assert 'href="?pagina=2&amp;volgorde=nieuwste#reacties"' in newest
    assert 'href="?volgorde=nieuwste#reacties" aria-current="true">Nieuwste eerst' in newest
    Comment.objects.filter(pk=roots[7].pk).update(recommend_count=5)
    Comment.objects.filter(pk=roots[3].pk).update(recommend_count=2)
    invalidate_pages()
    valued = shown_ids(page(client, article, "?volgorde=waardevol"))
    assert valued[:3] == [roots[7].pk, roots[3].pk, roots[0].pk]
    # An unknown order is the default one.
    assert shown_ids(page(client, article, "?volgorde=<script>"))[0] == roots[0].pk


def test_each_page_and_order_is_cached_on_its_own(client, make_article):
    article = make_article()
    threads(article, 30)
    for query in ("", "?pagina=2", "?volgorde=nieuwste"):
        page(client, article, query)
    for query in ("", "?pagina=2", "?volgorde=nieuwste"):
        with CaptureQueriesContext(connection) as queries:
            page(client, article, query)
        assert len(queries) == 0, query


# "Toon nog N reacties"


def test_a_thread_shows_three_replies_then_links_to_the_rest_on_its_own_page(client, make_article):
    article = make_article()
    [root] = threads(article, 1, replies=7)
    replies = list(Comment.objects.filter(parent_id=root.pk).exclude(pk=root.pk))
    html = page(client, article)
    assert shown_ids(html) == [root.pk] + [reply.pk for reply in replies[:3]]
    more = reverse("comments:thread", args=[article.pk, root.pk])
    assert (
        f'href="{more}#c{replies[3].pk}" aria-describedby="n{root.pk}">Toon nog 4 reacties' in html
    )
    # Without JavaScript the link opens the whole thread on a page of its own.
    thread_page = client.get(more)
    assert thread_page.status_code == 200
    thread_html = thread_page.content.decode()
    assert shown_ids(thread_html) == [root.pk] + [reply.pk for reply in replies]
    assert "Toon nog" not in thread_html
    assert "Draad van Lezer 0" in thread_html
    # The script asks for the thread alone, to put in place of the one on the page.
    fragment = client.get(more, {"fragment": "1"}).content.decode()
    assert fragment.strip().startswith(f'<li id="c{root.pk}">')
    assert "<html" not in fragment


def test_a_thread_of_hidden_comments_only_or_of_another_article_is_not_found(client, make_article):
    article, other = make_article(), make_article()
    [held] = threads(article, 1)
    Comment.objects.filter(pk=held.pk).update(is_public=False)
    [elsewhere] = threads(other, 1)
    assert client.get(reverse("comments:thread", args=[article.pk, held.pk])).status_code == 404
    assert (
        client.get(reverse("comments:thread", args=[article.pk, elsewhere.pk])).status_code == 404
    )


def test_a_removed_comment_with_replies_behind_toon_nog_keeps_its_placeholder(client, make_article):
    article = make_article()
    [root] = threads(article, 1, replies=4)
    hidden = add_comment(article, "Verwijderd", parent=root, minute=5)
    add_comment(article, "Onder verwijderd", parent=hidden, minute=6)
    Comment.objects.filter(pk=hidden.pk).update(is_removed=True)
    html = page(client, article)
    assert "Toon nog 2 reacties" in html  # one shown after the three, and the reply below
    thread_html = client.get(reverse("comments:thread", args=[article.pk, root.pk])).content
    assert f'class="comment--removed" id="c{hidden.pk}"'.encode() in thread_html


# Permalinks


def test_a_permalink_lands_on_the_page_that_shows_the_comment(client, make_article):
    article = make_article()
    roots = threads(article, 60)
    response = client.get(roots[55].get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?pagina=3#c{roots[55].pk}"
    assert client.get(roots[2].get_absolute_url())["Location"] == (
        f"{article.get_absolute_url()}#c{roots[2].pk}"
    )
    assert "Set-Cookie" not in response.headers


def test_a_permalink_behind_toon_nog_opens_the_thread_at_the_comment(client, make_article):
    article = make_article()
    roots = threads(article, 30, replies=5)
    deep = Comment.objects.filter(parent_id=roots[27].pk).exclude(pk=roots[27].pk).last()
    location = client.get(deep.get_absolute_url())["Location"]
    assert location == f"{reverse('comments:thread', args=[article.pk, roots[27].pk])}#c{deep.pk}"
    assert f'id="c{deep.pk}"' in client.get(location).content.decode()


def test_a_permalink_to_a_hidden_comment_goes_to_the_discussion_and_a_wrong_one_is_404(
    client, make_article
):
    article = make_article()
    [comment] = threads(article, 1)
    Comment.objects.filter(pk=comment.pk).update(is_removed=True)
    assert client.get(comment.get_absolute_url())["Location"] == (
        f"{article.get_absolute_url()}#reacties"
    )
    assert client.get("/reacties/999999/").status_code == 404
    assert client.get("/reacties/99999999999999999999/").status_code == 404


def test_the_poster_lands_on_their_comment_with_the_thanks_beside_it(
    client, make_article, comment_form
):
    article = make_article()
    threads(article, 30)
    response = client.post(post_url(article), comment_form(article), follow=True)
    [posted] = Comment.objects.filter(user_name="Petra de Vries")
    assert response.redirect_chain[-1][0] == f"{article.get_absolute_url()}?pagina=2#c{posted.pk}"
    html = response.content.decode()
    item = html[html.index(f'id="c{posted.pk}"') :]
    item = item[: item.index("</article>")]
    assert "Bedankt voor uw reactie." in item
    assert 'class="comment__notice message message--success" role="status"' in item
    # Not a second time at the top of the page.
    assert html.count("Bedankt voor uw reactie.") == 1


# "Waardevol"


def recommend(client, comment, **headers):
    """As the script sends the page's one "Waardevol" form."""
    return client.post(
        reverse("comments:recommend"),
        {"reactie": comment.pk},
        headers={"Accept": "application/json", **SAME_ORIGIN, **headers},
    )


def recommend_count_shown(html, comment):
    """The count on the comment's "Waardevol" button, or None when it shows none."""
    button = re.search(
        rf'<button form="waardevol" name="reactie" value="{comment.pk}"[^>]*>'
        r"Waardevol(?:<span>(\d+)</span>)?</button>",
        html,
    )
    assert button, "no Waardevol button"
    return int(button.group(1)) if button.group(1) else None


def test_a_reader_recommends_a_comment_once(client, make_article):
    article = make_article()
    [comment] = threads(article, 1)
    first = recommend(client, comment)
    assert first.status_code == 200
    assert json.loads(first.content)["count"] == 1
    cookie = first.cookies["waardevol"]
    assert cookie["httponly"]
    assert cookie["path"] == "/reacties/waardevol/"  # never sent with an article page
    again = recommend(client, comment)
    assert json.loads(again.content)["count"] == 1
    assert Recommendation.objects.filter(comment=comment).count() == 1


def test_one_address_gives_one_comment_only_a_few_recommendations(client, make_article, settings):
    settings.COMMENTS_RECOMMENDATIONS_PER_ADDRESS = 2
    article = make_article()
    [comment] = threads(article, 1)
    for _ in range(2):
        client.cookies.clear()  # a reader throwing the cookie away, or two colleagues
        assert recommend(client, comment).status_code == 200
    client.cookies.clear()
    refused = recommend(client, comment)
    assert refused.status_code == 409
    assert "al gewaardeerd" in json.loads(refused.content)["message"]
    assert Comment.objects.get(pk=comment.pk).recommend_count == 2


def test_a_recommendation_from_another_site_or_of_a_hidden_comment_is_refused(client, make_article):
    article = make_article()
    [comment, held] = threads(article, 2)
    forged = recommend(client, comment, Origin="https://elders.example")
    assert forged.status_code == 403
    assert recommend(client, comment, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    Comment.objects.filter(pk=held.pk).update(is_public=False)
    assert recommend(client, held).status_code == 409
    assert Comment.objects.get(pk=comment.pk).recommend_count == 0
    assert client.get(reverse("comments:recommend")).status_code == 405


def test_without_javascript_recommending_comes_back_to_the_comment_with_a_message(
    client, make_article
):
    article = make_article()
    [comment] = threads(article, 1)
    html = page(client, article)
    # Every button sends the page's one form, saying which comment it is for.
    form = '<form id="waardevol" method="post" action="/reacties/waardevol/"></form>'
    assert html.count(form) == 1
    assert recommend_count_shown(html, comment) is None
    response = client.post(
        "/reacties/waardevol/", {"reactie": comment.pk}, headers=SAME_ORIGIN, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{article.get_absolute_url()}#c{comment.pk}"
    html = response.content.decode()
    assert "Bedankt: u vindt deze reactie waardevol." in html
    assert recommend_count_shown(html, comment) == 1


@pytest.mark.parametrize("sent", [None, "", "abc", "-1", "١٢", "9" * 40, "999999"])
def test_a_recommendation_for_no_comment_is_a_dutch_not_found(client, make_article, sent):
    threads(make_article(), 1)
    data = {} if sent is None else {"reactie": sent}
    response = client.post("/reacties/waardevol/", data, headers=SAME_ORIGIN)
    assert response.status_code == 404
    assert "niet gevonden" in response.content.decode().lower()


def test_recommendations_keep_the_article_page_cached_and_show_within_the_lag(
    client, make_article, settings
):
    article = make_article()
    [comment] = threads(article, 1)
    reader = client.__class__()
    page(reader, article)  # cached
    for _ in range(3):
        client.cookies.clear()
        recommend(client, comment)
    with CaptureQueriesContext(connection) as queries:
        html = page(reader, article)
    assert len(queries) == 0  # a burst of clicks re-renders nothing
    assert recommend_count_shown(html, comment) is None
    settings.COMMENTS_RECOMMENDATIONS_LAG_SECONDS = 0
    settings.COMMENTS_RECOMMENDATIONS_PER_ADDRESS = 10
    cache.clear()  # a lag of 0 applies to entries made from now on
    page(reader, article)
    client.cookies.clear()
    recommend(client, comment)
    assert recommend_count_shown(page(reader, article), comment) == 4


# Editors' picks


def test_a_pick_shows_above_the_discussion_and_is_marked_in_the_thread(client, make_article):
    article = make_article()
    roots = threads(article, 30)
    page(client, article)
    pick_comments(Comment.objects.filter(pk__in=[roots[28].pk]), picked=True)
    html = page(client, article)  # the pick made the cached page stale
    strip = html[html.index('class="discussion__picks"') : html.index('class="discussion__order"')]
    assert "Tekst van Lezer 28" in strip
    assert f'href="{roots[28].get_absolute_url()}"' in strip
    page_two = page(client, article, "?pagina=2")
    assert f'<li class="comment--pick" id="c{roots[28].pk}">' in page_two
    assert '<span class="comment__pick">Uitgelicht</span>' in page_two


def test_a_held_comment_cannot_be_picked(make_article):
    article = make_article()
    [comment] = threads(article, 1)
    Comment.objects.filter(pk=comment.pk).update(is_public=False)
    assert pick_comments(Comment.objects.filter(pk=comment.pk), picked=True) == 0


def test_moderators_pick_from_the_comment_list(moderator, make_article):
    article = make_article()
    [comment] = threads(article, 1)
    response = moderator.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "pick", "_selected_action": [comment.pk]},
        follow=True,
    )
    assert "1 reactie uitgelicht." in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).is_pick


# "N nieuwe reacties"


def test_the_state_endpoint_says_how_big_the_discussion_is_for_any_cache(client, make_article):
    article = make_article()
    roots = threads(article, 3)
    response = client.get(reverse("comments:state", args=[article.pk]))
    assert json.loads(response.content) == {"count": 3, "latest": roots[-1].pk}
    assert "public" in response["Cache-Control"]
    assert "max-age=5" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert client.get(reverse("comments:state", args=[123456])).status_code == 404


def test_the_new_comments_are_listed_after_the_last_one_the_page_showed(client, make_article):
    article = make_article()
    [root] = threads(article, 1)
    reply = add_comment(article, "Nieuwe lezer", parent=root, minute=90)
    newer = add_comment(article, "Nog een lezer", minute=91)
    html = client.get(reverse("comments:fresh", args=[article.pk]), {"na": root.pk}).content
    html = html.decode()
    assert shown_ids(html) == [reply.pk, newer.pk]
    # Out of its thread, a reply says whom it answers.
    assert f'in reactie op <a class="comment__answered" href="#c{root.pk}"' not in html
    assert f'href="/reacties/{root.pk}/">Lezer 0</a>' in html
    assert client.get(reverse("comments:fresh", args=[article.pk]), {"na": "x"}).status_code == 200


# Scale


def test_the_first_page_loads_only_the_comments_it_shows(client, make_article, monkeypatch):
    article = make_article()
    threads(article, 40, replies=6)
    loaded = []
    original = Comment.from_db.__func__

    def counting_from_db(cls, db, field_names, values):
        loaded.append(values)
        return original(cls, db, field_names, values)

    monkeypatch.setattr(Comment, "from_db", classmethod(counting_from_db))
    html = page(client, article)
    # Two replies each: three each would be more than COMMENTS_REPLIES_PER_PAGE (50).
    assert len(shown_ids(html)) == 25 * 3
    assert len(loaded) == 25 * 3


def test_a_page_of_busy_threads_shows_a_reply_fewer_in_each_and_permalinks_follow(
    client, make_article, settings
):
    quiet, busy = make_article(), make_article()
    threads(quiet, 12, replies=4)  # 36 replies at three each: within the 50
    roots = threads(busy, 25, replies=4)  # 75 at three each: too many, so two each
    assert len(shown_ids(page(client, quiet))) == 12 * 4
    html = page(client, busy)
    assert len(shown_ids(html)) == 25 * 3
    assert html.count("Toon nog 2 reacties") == 25
    third = Comment.objects.filter(thread_id=roots[0].pk).order_by("order")[3]
    # Behind "Toon nog" on this page, so its permalink opens the thread's own page.
    location = client.get(reverse("comments:permalink", args=[third.pk]))["Location"]
    thread_page = reverse("comments:thread", args=[busy.pk, roots[0].pk])
    assert location == f"{thread_page}#c{third.pk}"
    settings.COMMENTS_REPLIES_PER_PAGE = 75
    invalidate_pages()
    assert len(shown_ids(page(client, busy))) == 25 * 4
    location = client.get(reverse("comments:permalink", args=[third.pk]))["Location"]
    assert location == f"{busy.get_absolute_url()}#c{third.pk}"


@pytest.mark.parametrize("order", ["", "?volgorde=waardevol"])
def test_the_page_needs_as_many_queries_at_30_as_at_300_comments(client, make_article, order):
    counts = []
    for size in (30, 300):
        article = make_article()
        threads(article, size // 3, replies=2)
        page(client, article, order)
        invalidate_pages()
        with CaptureQueriesContext(connection) as queries:
            page(client, article, order)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_count_is_one_number_on_every_page_the_listing_and_the_json_ld(client, make_article):
    article = make_article()
    roots = threads(article, 30, replies=1)
    Comment.objects.filter(pk=roots[0].pk).update(is_public=False)  # a placeholder now
    for query in ("", "?pagina=2", "?volgorde=nieuwste"):
        html = page(client, article, query)
        assert 'class="discussion__count">(59)' in html
        data = json.loads(
            html.split('<script type="application/ld+json">')[1].split("</script>")[0]
        )
        assert data["commentCount"] == 59
    listing = client.get(reverse("articles:index")).content.decode()
    assert "59 reacties" in listing


def test_a_long_thread_opens_fifty_replies_at_a_time(client, make_article):
    article = make_article()
    [root] = threads(article, 1, replies=60)
    replies = list(Comment.objects.filter(parent_id=root.pk).exclude(pk=root.pk))
    thread = reverse("comments:thread", args=[article.pk, root.pk])
    assert f'href="{thread}#c{replies[3].pk}"' in page(client, article)
    first = client.get(thread).content.decode()
    assert shown_ids(first) == [root.pk] + [reply.pk for reply in replies[:53]]
    assert f'href="{thread}?tot=103#c{replies[53].pk}"' in first
    assert "Toon nog 7 reacties" in first
    rest = client.get(thread, {"tot": "103"}).content.decode()
    assert shown_ids(rest) == [root.pk] + [reply.pk for reply in replies]
    # A permalink to a reply far down opens the slice that shows it.
    assert client.get(replies[57].get_absolute_url())["Location"] == (
        f"{thread}?tot=103#c{replies[57].pk}"
    )
    assert client.get(thread, {"tot": "x" * 20}).status_code == 200
