"""Reading the discussion: threads, placeholders, counts, closing, moderation and badges."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.page_cache import invalidate_pages
from comments.models import Comment
from comments.moderation import approve_comments, remove_comments
from tests.conftest import post_url
from tests.html_audit import section_of

pytestmark = pytest.mark.django_db


def add_comment(article, name, text="Tekst", parent=None, **fields):
    comment = Comment(
        content_type=ContentType.objects.get_for_model(Article),
        object_pk=str(article.pk),
        site_id=1,
        user_name=name,
        user_email=f"{name.lower()}@example.nl",
        comment=text,
        submit_date=timezone.now(),
        parent_id=parent.pk if parent else 0,
        **fields,
    )
    comment.save()
    return comment


def li_of(html, comment):
    """The HTML of a comment's list item, replies included."""
    start = html.index(f'id="c{comment.pk}"')
    depth, index = 0, html.rindex("<li", 0, start)
    for match in re.finditer(r"<(/?)li\b", html[index:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html[index : index + match.end()]
    raise AssertionError("unclosed li")


def test_the_seed_discussion_is_threaded_with_original_times(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    laila = Comment.objects.get(user_name="Laila Simonis")
    wilco = Comment.objects.get(user_name="Wilco Verdoold", level=0)
    assert "Jorie Post" in li_of(html, laila)
    assert "De rechtstreekse URL is:" in li_of(html, wilco)
    for when in ["10-05-2012 10:48", "10-05-2012 11:48", "10-05-2012 12:48", "14-05-2012 19:19"]:
        assert when in html
    assert "15-05-2012 18:57" in li_of(html, wilco)
    assert '<span class="comment__badge">auteur</span>' in li_of(html, laila)
    assert 'rel="nofollow ugc noopener">(Klik hier)</a>' in html
    sonja = li_of(html, Comment.objects.get(user_name="Sonja"))
    assert "Deze reactie is verwijderd." in sonja
    assert '<h2 id="reacties-titel">Reacties <span class="discussion__count">(5)</span>' in html


def test_the_count_is_the_same_on_page_footer_listing_and_admin(
    client, seed_article, admin_client_nl
):
    remove_comments(Comment.objects.filter(user_name="Jorie Post"))
    add_comment(seed_article, "Wachtend", is_public=False)
    page = client.get(seed_article.get_absolute_url()).content.decode()
    assert '<span class="discussion__count">(4)</span>' in page
    assert '<a href="#reacties">4 reacties</a>' in page
    listing = client.get(reverse("articles:index")).content.decode()
    assert '#reacties">4 reacties</a>' in listing
    admin = admin_client_nl.get(reverse("admin:articles_article_changelist")).content.decode()
    assert '<td class="field-comment_count">4</td>' in admin


def test_a_removed_comment_with_replies_stays_as_a_placeholder(client, make_article):
    article = make_article()
    parent = add_comment(article, "Ouder", "Het origineel")
    add_comment(article, "Kind", "Een antwoord", parent=parent)
    lonely = add_comment(article, "Alleen", "Zonder antwoorden")
    remove_comments(Comment.objects.filter(pk__in=[parent.pk, lonely.pk]))
    html = client.get(article.get_absolute_url()).content.decode()
    placeholder = li_of(html, parent)
    assert "Deze reactie is verwijderd." in placeholder
    assert "Het origineel" not in html and "Ouder" not in html
    assert "Een antwoord" in placeholder
    assert "Zonder antwoorden" not in html and f'id="c{lonely.pk}"' not in html
    assert '<span class="discussion__count">(1)</span>' in html


def test_held_comments_are_not_shown_until_approved(client, make_article):
    article = make_article()
    held = add_comment(article, "Wachtend", "Nog even geduld", is_public=False)
    assert "Nog even geduld" not in client.get(article.get_absolute_url()).content.decode()
    approve_comments(Comment.objects.filter(pk=held.pk))
    assert "Nog even geduld" in client.get(article.get_absolute_url()).content.decode()


def test_replies_are_indented_up_to_three_levels(client, make_article, comment_form):
    article = make_article()
    top = add_comment(article, "Een")
    second = add_comment(article, "Twee", parent=top)
    third = add_comment(article, "Drie", parent=second)
    assert third.level == 2
    client.post(post_url(article), comment_form(article, reply_to=third, name="Vier"))
    fourth = Comment.objects.get(user_name="Vier")
    assert (fourth.level, fourth.parent_id) == (2, second.pk)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Vier" in li_of(html, second)
    assert section_of(html).count("<ol>") == 2  # two levels of replies below the first


def test_a_reply_at_the_deepest_level_says_whom_it_answers(client, make_article, comment_form):
    article = make_article()
    top = add_comment(article, "Een")
    second = add_comment(article, "Twee", parent=top)
    third = add_comment(article, "Laila Simonis", parent=second)
    client.post(post_url(article), comment_form(article, reply_to=third, name="Vier"))
    fourth = Comment.objects.get(user_name="Vier")
    assert (fourth.parent_id, fourth.in_reply_to_id) == (second.pk, third.pk)
    html = li_of(client.get(article.get_absolute_url()).content.decode(), fourth)
    assert (
        f'in reactie op <a class="comment__answered" href="#c{third.pk}">Laila Simonis</a>' in html
    )
    # A reply within the depth says nothing extra: its place says it.
    assert "in reactie op" not in li_of(
        client.get(article.get_absolute_url()).content.decode(), third
    )


def test_max_depth_is_configurable(client, make_article, comment_form, settings):
    settings.COMMENTS_MAX_DEPTH = 2
    settings.COMMENTS_XTD_MAX_THREAD_LEVEL = 1
    article = make_article()
    top = add_comment(article, "Een")
    reply = add_comment(article, "Twee", parent=top)
    client.post(post_url(article), comment_form(article, reply_to=reply, name="Drie"))
    assert Comment.objects.get(user_name="Drie").parent_id == top.pk


def test_a_reply_to_a_comment_of_another_article_is_refused(
    client, seed_article, make_article, comment_form
):
    other = make_article()
    foreign = add_comment(other, "Elders")
    data = comment_form(seed_article, parent=str(foreign.pk))
    response = client.post(post_url(seed_article), data)
    assert "De reactie waarop u reageert bestaat niet (meer)." in response.content.decode()
    assert not Comment.objects.filter(user_name="Petra de Vries").exists()


def test_a_reply_to_a_removed_comment_is_refused(client, make_article, comment_form):
    article = make_article()
    removed = add_comment(article, "Weg", is_removed=True)
    data = comment_form(article, parent=str(removed.pk))
    response = client.post(post_url(article), data)
    assert "bestaat niet (meer)" in response.content.decode()


def test_closed_comments_are_shown_but_no_new_ones_accepted(client, make_article, comment_form):
    article = make_article()
    add_comment(article, "Eerder", "Van voor de sluiting")
    data = comment_form(article)
    Article.objects.filter(pk=article.pk).update(comments_enabled=False)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Van voor de sluiting" in html
    assert "Reageren op dit artikel is gesloten." in html
    assert "data-reply-to" not in html
    response = client.post(post_url(article), data)
    assert response.status_code == 403
    assert "Reageren op dit artikel is gesloten." in response.content.decode()
    assert client.get(post_url(article)).status_code == 403


def test_comments_can_close_after_a_number_of_days(client, make_article, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = make_article(published_at=timezone.now() - timezone.timedelta(days=31))
    fresh = make_article(published_at=timezone.now() - timezone.timedelta(days=29))
    assert (
        "Reageren op dit artikel is gesloten."
        in client.get(old.get_absolute_url()).content.decode()
    )
    assert client.get(post_url(fresh)).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"comment": "https://a.nl https://b.nl https://c.nl"},
        {"comment": "Koop goedkope viagra hier"},
        {"name": "Viagra Verkoper"},
    ],
    ids=["three-links", "blocked-word", "blocked-word-in-name"],
)
def test_suspicious_comments_are_held_and_the_writer_is_told(
    client, seed_article, comment_form, settings, overrides
):
    settings.COMMENTS_BLOCKED_WORDS = ["viagra"]
    data = comment_form(seed_article, **overrides)
    response = client.post(post_url(seed_article), data, follow=True)
    comment = Comment.objects.latest("pk")
    assert not comment.is_public
    html = response.content.decode()
    assert "Uw reactie verschijnt zodra de redactie haar heeft goedgekeurd." in html
    assert f'id="c{comment.pk}"' not in html


def test_two_links_are_fine(client, seed_article, comment_form):
    data = comment_form(seed_article, comment="https://a.nl en https://b.nl")
    client.post(post_url(seed_article), data)
    assert Comment.objects.latest("pk").is_public


def test_the_articles_author_is_marked_author_and_other_staff_editors(
    client, seed_article, comment_form, django_user_model
):
    author = django_user_model.objects.create_user("jorie", is_staff=True)
    editor = django_user_model.objects.create_user("eva", is_staff=True)
    Article.objects.filter(pk=seed_article.pk).update(author_user=author)
    for user, name in [(author, "Jorie"), (editor, "Eva")]:
        client.force_login(user)
        client.post(post_url(seed_article), comment_form(seed_article, name=name))
    assert Comment.objects.get(user_name="Jorie").badge == "author"
    assert Comment.objects.get(user_name="Eva").badge == "editor"
    client.logout()
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert html.count('<span class="comment__badge">redactie</span>') == 1


def test_the_article_page_uses_the_same_queries_at_5_and_500_comments(client, make_article):
    queries_made = {}
    for comment_count in (5, 500):
        article = make_article()
        parent = None
        for number in range(comment_count):
            parent = add_comment(article, f"Lezer {number}", parent=parent if number % 3 else None)
        client.get(article.get_absolute_url())  # warm the content-type cache
        invalidate_pages()  # measure a render, not the page cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(article.get_absolute_url())
        html = response.content.decode()
        assert len(re.findall(r'<li(?: class="[^"]*")? id="c\d+"', html)) >= min(comment_count, 25)
        queries_made[comment_count] = len(queries)
    assert queries_made[5] == queries_made[500]


def test_a_readers_get_of_a_discussed_article_writes_nothing(client, seed_article):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(seed_article.get_absolute_url())
    assert {query["sql"].split()[0] for query in queries} == {"SELECT"}
    assert "Set-Cookie" not in response.headers
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "captcha" not in html.lower()


def test_rerender_comments_applies_a_changed_allow_list(seed_article, monkeypatch, capsys):
    from comments import rendering

    laila = Comment.objects.get(user_name="Laila Simonis")
    Comment.objects.filter(pk=laila.pk).update(comment_html="<p>oud</p>")
    call_command("rerender_comments")
    laila.refresh_from_db()
    assert laila.comment_html == rendering.render_comment_html(laila.comment)
    assert "1 changed" in capsys.readouterr().out


def test_reply_links_name_the_comment_for_screen_readers(client, seed_article):
    laila = Comment.objects.get(user_name="Laila Simonis")
    item = li_of(client.get(seed_article.get_absolute_url()).content.decode(), laila)
    # The comment is an article named by its writer, who also describes its actions.
    assert item.startswith(
        f'<li id="c{laila.pk}"><article aria-labelledby="n{laila.pk}">'
        f'<header><b id="n{laila.pk}">Laila Simonis</b>'
    )
    reply = re.search(r"<a [^>]*data-reply-to=[^>]*>Reageren</a>", item).group()
    assert f'aria-describedby="n{laila.pk}"' in reply


def test_a_comment_marked_spam_is_hidden_even_if_not_removed(client, seed_article):
    Comment.objects.filter(user_name="Laila Simonis").update(is_spam=True)
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert "Leuk artikel!" not in html
    assert '<span class="discussion__count">(4)</span>' in html
