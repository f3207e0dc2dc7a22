"""Editors manage articles and tips in the admin."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tip
from comments.models import Comment
from newsletter.models import NewsletterSend

pytestmark = pytest.mark.django_db


def test_article_admin_pages_load(admin_client_nl, seed_article):
    assert admin_client_nl.get(reverse("admin:articles_article_changelist")).status_code == 200
    assert admin_client_nl.get(reverse("admin:articles_article_add")).status_code == 200
    change = admin_client_nl.get(reverse("admin:articles_article_change", args=[seed_article.pk]))
    assert change.status_code == 200
    assert "Geef zelf het goede voorbeeld." in change.content.decode()


def test_admin_search_finds_the_article(admin_client_nl, seed_article):
    response = admin_client_nl.get(reverse("admin:articles_article_changelist"), {"q": "Blokker"})
    assert "Drie tips voor social mediarichtlijnen" in response.content.decode()


def test_editor_creates_an_article_with_tips(admin_client_nl):
    response = admin_client_nl.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Nieuw artikel",
            "slug": "nieuw-artikel",
            "lead": "Inleiding.",
            "body": "Tekst\n\n[tips]",
            "status": "published",
            "published_at_0": "2024-01-02",
            "published_at_1": "10:00:00",
            "comments_enabled": "on",
            "comment_moderation": "nobody",
            "author_name": "Redactie",
            "tips-TOTAL_FORMS": "2",
            "tips-INITIAL_FORMS": "0",
            "tips-0-position": "2",
            "tips-0-text": "Tweede",
            "tips-1-position": "1",
            "tips-1-text": "Eerste",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tips = Tip.objects.filter(article__slug="nieuw-artikel")
    assert [tip.text for tip in tips] == ["Eerste", "Tweede"]


def test_view_on_site_links_to_the_article(admin_client_nl, seed_article):
    change = admin_client_nl.get(reverse("admin:articles_article_change", args=[seed_article.pk]))
    assert "Weergeven op website" in change.content.decode()


def test_tip_positions_are_unique_per_article(seed_article):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tip.objects.create(article=seed_article, position=1, text="Dubbel")


def test_the_article_list_shows_comment_counts_and_newsletter_sends(admin_client_nl, make_article):
    sent = make_article(title="Verstuurd artikel")
    sending = make_article(title="Wordt nog verstuurd")
    quiet = make_article(title="Stil artikel")
    for fields in [{}, {}, {"is_public": False}, {"is_removed": True}, {"is_spam": True}]:
        Comment.objects.create(
            content_type=ContentType.objects.get_for_model(Article),
            object_pk=str(sent.pk),
            site_id=1,
            user_name="Lezer",
            comment="Een reactie.",
            submit_date=timezone.now(),
            **fields,
        )
    now = timezone.now()
    NewsletterSend.objects.create(article=sent, requested_at=now, queued_at=now, recipients=3)
    NewsletterSend.objects.create(article=sending, requested_at=now)
    html = admin_client_nl.get(reverse("admin:articles_article_changelist")).content.decode()
    assert re.search(r'<th scope="col" class="[^"]*column-comment_count[^"]*">', html)
    assert re.search(r'<th scope="col" class="[^"]*column-newsletter[^"]*">', html)

    def cells(article):
        row = re.search(rf"<tr>(?:(?!</tr>).)*>{article.title}</a>.*?</tr>", html, re.S).group(0)
        return dict(
            re.findall(r'<td class="field-(comment_count|newsletter)[^"]*">(.*?)</td>', row)
        )

    day = timezone.localtime(now)
    assert cells(sent)["comment_count"] == "2"  # the visible ones: not held, removed or spam
    assert re.fullmatch(
        rf"verzonden naar 3 adressen op {day.day} [a-z]+ {day.year}", cells(sent)["newsletter"]
    )
    assert cells(sending) == {"comment_count": "0", "newsletter": "wordt verzonden"}
    assert cells(quiet) == {"comment_count": "0", "newsletter": "-"}  # never sent
