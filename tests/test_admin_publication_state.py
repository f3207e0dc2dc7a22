"""The admin's article list tells a scheduled article from a published one."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db


def state_cell(html, title):
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(title)}(?:(?!</tr>).)*</tr>", html, re.S)
    return re.search(r'<td class="field-publication_state">(.*?)</td>', row.group(0)).group(1)


@pytest.fixture
def articles(make_article):
    make_article(title="Morgen", published_at=timezone.now() + datetime.timedelta(days=1))
    make_article(title="Gisteren")
    make_article(title="Concept", status=Article.Status.DRAFT)


# needs translations
def test_a_published_article_dated_in_the_future_shows_as_scheduled(admin_client_nl, articles):
    html = admin_client_nl.get(reverse("admin:articles_article_changelist")).content.decode()

    # "Scheduled" is "Gepland" once locale/ has the new msgid.
    assert state_cell(html, "Morgen") == "Gepland"
    assert state_cell(html, "Gisteren") == "Gepubliceerd"
    assert state_cell(html, "Concept") == "Concept"


@pytest.mark.parametrize(
    ("state", "titles"),
    [
        ("scheduled", ["Morgen"]),
        ("published", ["Gisteren", "Drie tips voor social mediarichtlijnen"]),
        ("draft", ["Concept"]),
    ],
)
def test_the_list_filters_by_publication_state(admin_client_nl, articles, state, titles):
    response = admin_client_nl.get(reverse("admin:articles_article_changelist"), {"state": state})

    assert [article.title for article in response.context["cl"].result_list] == titles
