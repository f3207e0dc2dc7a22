"""The rules a comment meets at posting: blocks, refused and suspect words, links, and
moderation before publication with trust after two approvals."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from moderation.decisions import decide
from moderation.models import Ban, Decision, WordRule
from tests.conftest import post_url

pytestmark = pytest.mark.django_db

TEXT = "Een doordachte reactie over richtlijnen die ik niet kwijt wil."


def attempt(client, comment_form, article, **fields):
    response = client.post(post_url(article), comment_form(article, **fields))
    return response, response.content.decode()


def approve(comment, moderator=None):
    decide([comment], action=Decision.Action.APPROVE, moderator=moderator)


# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------


def test_a_refused_word_refuses_the_comment_tells_which_and_keeps_the_text(
    client, seed_article, comment_form
):
    WordRule.objects.create(word="oplichter", effect=WordRule.Effect.REFUSE)
    before = Comment.objects.count()
    response, html = attempt(
        client, comment_form, seed_article, comment=f"{TEXT} Die man is een OPLICHTER."
    )
    assert response.status_code == 200
    assert "“oplichter” is op deze site niet toegestaan in reacties" in html
    assert TEXT in html  # nothing the writer typed is lost
    assert Comment.objects.count() == before


def test_a_refused_word_in_the_name_is_shown_at_the_name(client, seed_article, comment_form):
    WordRule.objects.create(word="casino*", effect=WordRule.Effect.REFUSE)
    response, html = attempt(client, comment_form, seed_article, name="Beste Casinobonus")
    assert response.status_code == 200
    assert "“casino” is op deze site niet toegestaan" in html
    assert 'value="Beste Casinobonus"' in html


@pytest.mark.parametrize("written", ["Crypto", "CRYPTO", "crÿpto", "ｃｒｙｐｔｏ"])
def test_suspect_words_hold_whatever_the_capitals_accents_or_width(post, seed_article, written):
    WordRule.objects.create(word="crypto", effect=WordRule.Effect.HOLD)
    comment = post(seed_article, comment=f"Investeer in {written} nu.")
    assert not comment.is_public
    assert comment.hold_reasons == [{"code": "suspect_word", "detail": "crypto"}]


def test_a_word_inside_another_word_is_not_matched(post, seed_article):
    WordRule.objects.create(word="crypto", effect=WordRule.Effect.HOLD)
    WordRule.objects.create(word="lul", effect=WordRule.Effect.REFUSE)
    comment = post(seed_article, comment="Cryptografie en de lulletjes rozenwater van HR.")
    assert comment.is_public


def test_too_many_links_hold_with_the_count(post, seed_article, settings):
    settings.COMMENTS_MAX_LINKS = 1
    comment = post(seed_article, comment="Zie https://a.example.nl en https://b.example.nl")
    assert not comment.is_public
    assert comment.hold_reasons == [{"code": "links", "detail": "2"}]


# --------------------------------------------------------------------------------------
# Moderation before publication, and trust
# --------------------------------------------------------------------------------------


def test_moderation_before_publication_for_everybody_holds_every_comment_and_says_so(
    client, post, make_article
):
    article = make_article(comment_moderation=Article.CommentModeration.EVERYBODY)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Reacties worden beoordeeld voordat ze verschijnen." in page
    first = post(article)
    approve(first)
    second = post(article, comment="Nog een keer, na goedkeuring.")
    assert not second.is_public
    assert second.hold_reasons == [{"code": "premoderation", "detail": ""}]


def test_a_new_commenter_is_held_until_two_comments_were_approved(client, post, make_article):
    article = make_article(comment_moderation=Article.CommentModeration.NEW_COMMENTERS)
    assert (
        "Reacties van nieuwe schrijvers worden beoordeeld"
        in client.get(article.get_absolute_url()).content.decode()
    )
    first = post(article, comment="Eerste reactie.")
    assert not first.is_public
    assert first.hold_reasons == [{"code": "new_commenter", "detail": ""}]
    approve(first)
    second = post(article, comment="Tweede reactie.", email="PETRA@example.nl")
    assert not second.is_public  # one approval is not yet trust
    approve(second)
    third = post(article, comment="Derde reactie.")
    assert third.is_public
    # Someone else is still new.
    assert not post(article, comment="Hallo.", email="nieuw@example.nl").is_public


def test_a_rejected_approval_does_not_count_towards_trust(post, make_article):
    article = make_article(comment_moderation=Article.CommentModeration.NEW_COMMENTERS)
    first, second = post(article, comment="Een."), post(article, comment="Twee.")
    approve(first)
    approve(second)
    decide([second], action=Decision.Action.REJECT, moderator=None, ground="offensive")
    assert not post(article, comment="Drie.").is_public


def test_a_trusted_address_skips_the_link_hold(post, seed_article, settings):
    settings.COMMENTS_MAX_LINKS = 0
    for number in range(2):
        held = post(seed_article, comment=f"Bron {number}: https://bron.example.nl/{number}")
        assert not held.is_public
        approve(held)
    assert post(seed_article, comment="Nog een bron: https://bron.example.nl/3").is_public


def test_an_editor_is_never_held_for_moderation_before_publication(
    staff_client, comment_form, make_article
):
    article = make_article(comment_moderation=Article.CommentModeration.EVERYBODY)
    response = staff_client.post(post_url(article), comment_form(article))
    assert response.status_code == 302
    assert Comment.objects.latest("pk").is_public


def test_an_articles_own_notice_shows_above_the_discussion(client, make_article):
    article = make_article(
        discussion_notice="Houd het zakelijk: persoonlijke aanvallen verdwijnen."
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Houd het zakelijk: persoonlijke aanvallen verdwijnen." in page
    assert "worden beoordeeld" not in page


# --------------------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------------------


def block(**fields):
    ban = Ban(**fields)
    ban.clean()
    ban.save()
    return ban


def test_a_blocked_address_is_refused_until_the_block_ends_and_keeps_its_text(
    client, seed_article, comment_form
):
    ends = timezone.now() + datetime.timedelta(hours=24)
    block(email="Petra@Example.NL", ends_at=ends)
    response, html = attempt(client, comment_form, seed_article, comment=TEXT)
    assert response.status_code == 403
    assert "U kunt tot " in html and "geen reacties plaatsen" in html
    assert TEXT in html
    assert not Comment.objects.filter(user_email="petra@example.nl").exists()

    response, _html = attempt(client, comment_form, seed_article, email="ander@example.nl")
    assert response.status_code == 302


def test_a_block_ends_by_itself(client, seed_article, comment_form):
    ban = block(email="petra@example.nl", ends_at=timezone.now() + datetime.timedelta(hours=1))
    assert attempt(client, comment_form, seed_article)[0].status_code == 403
    Ban.objects.filter(pk=ban.pk).update(ends_at=timezone.now() - datetime.timedelta(seconds=1))
    assert attempt(client, comment_form, seed_article)[0].status_code == 302


def test_a_lifted_block_no_longer_refuses(client, seed_article, comment_form):
    block(email="petra@example.nl", lifted_at=timezone.now())
    assert attempt(client, comment_form, seed_article)[0].status_code == 302


@pytest.mark.parametrize("network", ["127.0.0.1", "127.0.0.0/8"])
def test_an_ip_address_or_range_can_be_blocked_until_lifted(
    client, seed_article, comment_form, network
):
    block(ip_network=network)
    response, html = attempt(client, comment_form, seed_article, email="wie@example.nl")
    assert response.status_code == 403
    assert "U kunt op deze site geen reacties plaatsen" in html


def test_a_block_needs_an_address_or_a_valid_range():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Ban().clean()
    with pytest.raises(ValidationError):
        Ban(ip_network="300.1.2.3/8").clean()
    ban = Ban(ip_network="203.0.113.7/24")
    ban.clean()
    assert ban.ip_network == "203.0.113.0/24"
