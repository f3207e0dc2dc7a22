"""A writer changes or deletes their own comment for a short time after posting it,
with the right the posting response gave them, and nobody else can."""

import datetime
import re
from http.cookies import SimpleCookie

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.moderation import remove_comments
from comments.own_comments import EDIT_RIGHT_SALT, edit_right_cookie_name
from moderation.alerts import queue_digests
from moderation.models import ModeratorAlerts, WordRule
from tests.conftest import SUBSCRIBER, post_url
from tests.mail_sink import text_of

pytestmark = pytest.mark.django_db

TEXT = "Goed punt, dank voor de tips."
NEW_TEXT = "Goed punt. Aanvulling: lees ook de richtlijnen van de Kamer van Koophandel."


def edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


def delete_url(comment):
    return reverse("comments:delete", args=[comment.pk])


def edit(client, comment, text):
    return client.post(edit_url(comment), {"comment": text})


def fresh(comment):
    return Comment.objects.get(pk=comment.pk)


def article_page(article):
    """The article page as another reader, without cookies, gets it."""
    return Client().get(article.get_absolute_url())


def posted_long_ago(comment, minutes=11):
    Comment.objects.filter(pk=comment.pk).update(
        submit_date=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    return fresh(comment)


# --------------------------------------------------------------------------------------
# The right, as the posting response hands it out
# --------------------------------------------------------------------------------------


def test_posting_hands_the_writer_a_right_for_that_comment_only(client, seed_article, comment_form):
    response = client.post(post_url(seed_article), comment_form(seed_article))
    comment = Comment.objects.latest("pk")
    cookie = response.cookies[edit_right_cookie_name(comment.pk)]
    assert cookie["path"] == edit_url(comment)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert 590 <= int(cookie["max-age"]) <= 600
    assert signing.loads(cookie.value, salt=EDIT_RIGHT_SALT) == {"c": comment.pk}

    # The English edit page has a cookie of its own: switching language keeps the right.
    english = response.cookies[edit_right_cookie_name(comment.pk, "en")]
    assert english["path"] == f"/en{edit_url(comment)}"
    assert english.value == cookie.value and english["httponly"]

    # The thank-you message on the comment's page links to the edit page.
    page = client.get(response["Location"], follow=True)
    assert f'href="{edit_url(comment)}"' in page.text
    assert page.text.count(edit_url(comment)) == 1


def test_the_article_page_stays_the_same_for_the_writer_and_sets_nothing(
    client, seed_article, post
):
    comment = post(seed_article)
    client.cookies.pop("messages", None)  # the thank-you has been shown
    assert edit_right_cookie_name(comment.pk) in client.cookies
    writers_page = client.get(seed_article.get_absolute_url())
    assert writers_page["Cache-Control"].startswith("public")
    assert not writers_page.cookies
    assert writers_page.content == article_page(seed_article).content
    assert edit_url(comment) not in writers_page.text


def test_a_held_comment_comes_with_no_right(client, seed_article, comment_form):
    WordRule.objects.create(word="crypto", effect=WordRule.Effect.HOLD)
    response = client.post(
        post_url(seed_article), comment_form(seed_article, comment="Ik handel in crypto.")
    )
    comment = Comment.objects.latest("pk")
    assert not comment.is_public
    assert edit_right_cookie_name(comment.pk) not in response.cookies


# --------------------------------------------------------------------------------------
# Editing within the window
# --------------------------------------------------------------------------------------


def test_the_edit_page_shows_the_current_text_and_is_never_cached(client, seed_article, post):
    comment = post(seed_article)
    response = client.get(edit_url(comment))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert re.search(r"<textarea[^>]*>\s*" + re.escape(TEXT) + r"</textarea>", response.text)
    assert f'action="{edit_url(comment)}"' in response.text
    assert f'href="{delete_url(comment)}"' in response.text


def test_the_english_edit_page_takes_the_right_of_its_own_cookie(client, seed_article, post):
    comment = post(seed_article)
    # As a browser sends it: only the cookie whose path is the English page's.
    english_right = client.cookies[edit_right_cookie_name(comment.pk, "en")].value
    client.cookies.clear()
    client.cookies[edit_right_cookie_name(comment.pk, "en")] = english_right
    english = client.get(f"/en{edit_url(comment)}")
    assert english.status_code == 200
    assert '<html lang="en">' in english.text


def test_an_edit_within_the_window_changes_the_text_sanitised_and_marked(
    client, seed_article, post
):
    comment = post(seed_article)
    before = article_page(seed_article)  # cached for every reader
    assert TEXT in before.text

    response = edit(client, comment, f"{NEW_TEXT}<script>alert(1)</script> https://example.nl")
    assert response.status_code == 302
    assert response["Location"] == comment.get_absolute_url()

    comment = fresh(comment)
    assert comment.comment.startswith(NEW_TEXT)
    assert "<script" not in comment.comment_html
    assert '<a href="https://example.nl" rel="nofollow ugc noopener">' in comment.comment_html
    assert comment.edited_at is not None and comment.is_public

    after = article_page(seed_article)
    assert after["ETag"] != before["ETag"]
    assert NEW_TEXT in after.text and TEXT not in after.text
    assert "alert(1)</script>" not in after.text
    body = re.search(rf'<li id="c{comment.pk}">.*?</article>', after.text).group()
    assert 'class="comment__edited"' in body


def test_an_edited_comment_reads_bewerkt(client, seed_article, post):
    # needs translations
    comment = post(seed_article)
    edit(client, comment, NEW_TEXT)
    assert '<span class="comment__edited">bewerkt</span>' in article_page(seed_article).text
    page = client.get(comment.get_absolute_url(), follow=True)
    assert "Uw reactie is bijgewerkt." in page.text


def test_unedited_comments_are_not_marked(client, seed_article, post):
    comment = post(seed_article)
    edit(client, comment, TEXT)  # the same text: nothing changes
    assert fresh(comment).edited_at is None
    assert "comment__edited" not in article_page(seed_article).text


def test_an_edit_notifies_no_subscriber_a_second_time(
    client, seed_article, subscribe, post, smtp_sink, run_worker
):
    subscribe(seed_article)
    comment = post(seed_article, email="schrijver@example.nl")
    run_worker()
    assert len(smtp_sink.to(SUBSCRIBER)) == 1

    assert edit(client, comment, NEW_TEXT).status_code == 302
    run_worker()
    assert len(smtp_sink.to(SUBSCRIBER)) == 1


def test_an_edit_costs_the_article_page_no_extra_query(client, seed_article, post):
    from articles.page_cache import invalidate_discussion

    comment = post(seed_article)
    client.cookies.clear()
    Client().get(seed_article.get_absolute_url())  # what any render leaves in the cache
    invalidate_discussion(seed_article.pk)
    with CaptureQueriesContext(connection) as unedited:
        Client().get(seed_article.get_absolute_url())
    Comment.objects.filter(pk=comment.pk).update(edited_at=timezone.now())
    invalidate_discussion(seed_article.pk)
    with CaptureQueriesContext(connection) as edited:
        page = Client().get(seed_article.get_absolute_url())
    assert "comment__edited" in page.text
    assert len(edited) == len(unedited)


def test_edits_are_rate_limited_like_posts(client, seed_article, post, settings):
    comment = post(seed_article)
    settings.COMMENTS_POST_RATE = "1/m"
    assert edit(client, comment, NEW_TEXT).status_code == 302
    response = edit(client, comment, "Nog een wijziging")
    assert response.status_code == 429
    assert "Nog een wijziging" in response.text
    assert fresh(comment).comment == NEW_TEXT


# --------------------------------------------------------------------------------------
# Refused: after the window, by someone else, after a moderator's decision
# --------------------------------------------------------------------------------------


def test_after_the_window_an_edit_is_refused_and_the_text_kept(client, seed_article, post):
    comment = posted_long_ago(post(seed_article))
    response = edit(client, comment, NEW_TEXT)
    assert response.status_code == 403
    assert re.search(r"<textarea[^>]*readonly[^>]*>\s*" + re.escape(NEW_TEXT), response.text)
    assert "<button" not in response.text.split('role="alert"', 1)[1].split("</main>")[0]
    assert fresh(comment).comment == TEXT
    assert client.get(edit_url(comment)).status_code == 403
    assert client.post(delete_url(comment)).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_after_the_window_the_refusal_says_so_in_dutch(client, seed_article, post):
    # needs translations
    comment = posted_long_ago(post(seed_article))
    response = edit(client, comment, NEW_TEXT)
    assert "De tijd om deze reactie te wijzigen is voorbij" in response.text


def forged_rights(comment, other):
    name = edit_right_cookie_name(comment.pk)
    return {
        "no cookie": {},
        "garbage": {name: "niet-ondertekend"},
        "wrong salt": {name: signing.dumps({"c": comment.pk}, salt="comments.remembered-reader")},
        "tampered": {name: signing.dumps({"c": comment.pk}, salt=EDIT_RIGHT_SALT)[:-2] + "xx"},
        "another comment's": {name: signing.dumps({"c": other.pk}, salt=EDIT_RIGHT_SALT)},
        "not a dict": {name: signing.dumps(comment.pk, salt=EDIT_RIGHT_SALT)},
    }


@pytest.mark.parametrize(
    "forgery",
    ["no cookie", "garbage", "wrong salt", "tampered", "another comment's", "not a dict"],
)
def test_someone_else_cannot_edit_or_delete(client, seed_article, post, forgery):
    other = post(seed_article, comment="Mijn eigen reactie.")
    comment = post(seed_article)
    stranger = Client()
    cookies = SimpleCookie()
    for name, value in forged_rights(comment, other)[forgery].items():
        cookies[name] = value
    stranger.cookies = cookies

    assert stranger.get(edit_url(comment)).status_code == 403
    response = stranger.post(edit_url(comment), {"comment": NEW_TEXT})
    assert response.status_code == 403
    assert NEW_TEXT in response.text  # what they typed, to copy
    assert stranger.post(delete_url(comment)).status_code == 403
    assert fresh(comment).comment == TEXT and fresh(comment).edited_at is None


def test_a_right_for_one_comment_does_not_open_another(client, seed_article, post):
    first = post(seed_article, comment="Mijn eerste reactie.")
    second = post(seed_article)
    # The client holds both rights; each works only under its own comment's name.
    for language in ("nl", "en"):
        first_right = client.cookies[edit_right_cookie_name(first.pk, language)].value
        client.cookies[edit_right_cookie_name(second.pk, language)] = first_right
    assert edit(client, second, NEW_TEXT).status_code == 403
    assert edit(client, first, NEW_TEXT).status_code == 302


@pytest.mark.parametrize("decision", ["removed", "held", "spam"])
def test_a_comment_a_moderator_decided_on_cannot_be_changed(client, seed_article, post, decision):
    comment = post(seed_article)
    if decision == "removed":
        remove_comments(Comment.objects.filter(pk=comment.pk))
    elif decision == "held":
        Comment.objects.filter(pk=comment.pk).update(is_public=False)
    else:
        remove_comments(Comment.objects.filter(pk=comment.pk), spam=True)

    page = client.get(edit_url(comment))
    assert page.status_code == 403
    assert TEXT not in page.text  # a text taken off the page is not shown here either
    assert edit(client, comment, NEW_TEXT).status_code == 403
    assert client.post(delete_url(comment)).status_code == 403
    assert fresh(comment).comment == TEXT


def test_a_missing_comment_is_not_found(client, db):
    assert client.get(reverse("comments:edit", args=[999_999])).status_code == 404


# --------------------------------------------------------------------------------------
# Moderation rules on the new text
# --------------------------------------------------------------------------------------


def test_a_refused_word_sends_the_edit_back_naming_the_word(client, seed_article, post):
    comment = post(seed_article)
    WordRule.objects.create(word="oplichter", effect=WordRule.Effect.REFUSE)
    response = edit(client, comment, f"{NEW_TEXT} Die man is een oplichter.")
    assert response.status_code == 200
    assert "“oplichter” is op deze site niet toegestaan in reacties" in response.text
    assert f"{NEW_TEXT} Die man is een oplichter." in response.text
    assert fresh(comment).comment == TEXT


def test_a_suspect_word_holds_the_edited_comment_again(client, seed_article, post):
    comment = post(seed_article)
    WordRule.objects.create(word="crypto", effect=WordRule.Effect.HOLD)
    response = edit(client, comment, "Investeer in crypto nu.")
    assert response.status_code == 302
    assert response["Location"] == f"{seed_article.get_absolute_url()}#reacties"
    comment = fresh(comment)
    assert not comment.is_public
    assert comment.hold_reasons == [{"code": "suspect_word", "detail": "crypto"}]
    assert comment.edited_at is not None
    assert "crypto" not in article_page(seed_article).text
    # Now the moderators' to decide on.
    assert edit(client, comment, NEW_TEXT).status_code == 403


def test_moderators_hear_of_a_comment_an_edit_held(
    client, seed_article, post, moderator_user, smtp_sink, run_worker
):
    ModeratorAlerts.objects.create(
        user=moderator_user, frequency=ModeratorAlerts.Frequency.IMMEDIATELY
    )
    comment = post(seed_article)
    WordRule.objects.create(word="crypto", effect=WordRule.Effect.HOLD)
    edit(client, comment, "Investeer in crypto nu.")
    run_worker()
    [alert] = smtp_sink.to(moderator_user.email)
    assert f"#item-{comment.pk}" in text_of(alert)


def test_the_hourly_digest_lists_a_comment_an_edit_held_after_the_last_digest(
    client, seed_article, post, moderator_user
):
    ModeratorAlerts.objects.create(user=moderator_user, frequency=ModeratorAlerts.Frequency.HOURLY)
    comment = post(seed_article)
    assert queue_digests() == 0  # nothing waits yet
    WordRule.objects.create(word="crypto", effect=WordRule.Effect.HOLD)
    edit(client, comment, "Investeer in crypto nu.")
    assert queue_digests(timezone.now() + datetime.timedelta(minutes=1)) == 1


# --------------------------------------------------------------------------------------
# Deleting
# --------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes(client, seed_article, post):
    comment = post(seed_article)
    count = Comment.objects.for_article(seed_article).visible().count()
    confirm = client.get(delete_url(comment))
    assert confirm.status_code == 200
    assert f'action="{delete_url(comment)}"' in confirm.text
    assert Comment.objects.filter(pk=comment.pk).exists()  # a GET changes nothing

    response = client.post(delete_url(comment))
    assert response.status_code == 302
    assert response["Location"] == f"{seed_article.get_absolute_url()}#reacties"
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert Comment.objects.for_article(seed_article).visible().count() == count - 1
    for language, prefix in (("nl", ""), ("en", "/en")):
        cookie = response.cookies[edit_right_cookie_name(comment.pk, language)]
        assert cookie.value == "" and cookie["path"] == f"{prefix}{edit_url(comment)}"
    page = article_page(seed_article)
    assert TEXT not in page.text and f'id="c{comment.pk}"' not in page.text


def test_a_deleted_comment_with_replies_leaves_the_placeholder(client, seed_article, post):
    comment = post(seed_article)
    reply = post(seed_article, reply_to=comment, name="Ria", comment="Eens met Petra.")
    assert client.post(delete_url(comment)).status_code == 302

    kept = fresh(comment)
    assert kept.is_removed and kept.comment == "" and kept.user_email == ""
    page = article_page(seed_article).text
    assert f'<li class="comment--removed" id="c{comment.pk}">' in page
    assert TEXT not in page and "Petra de Vries" not in page
    assert "Eens met Petra." in page and f'id="c{reply.pk}"' in page


def test_moderators_see_when_a_comment_was_edited(client, seed_article, post, admin_client_nl):
    comment = post(seed_article)
    edit(client, comment, NEW_TEXT)
    page = admin_client_nl.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert page.status_code == 200
    assert "field-edited_at" in page.text
