import datetime
import re

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tip

SEED_SLUG = "drie-tips-voor-social-mediarichtlijnen"


@pytest.fixture
def seed_article(db):
    """The first article, loaded by the data migration."""
    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def make_article(db):
    """Create an article; published a day ago unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(**fields):
        number = next(counter)
        fields.setdefault("title", f"Testartikel {number}")
        fields.setdefault("slug", f"testartikel-{number}")
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
        fields.setdefault("lead", f"Inleiding van testartikel {number}.")
        fields.setdefault("body", "Eerste alinea.\n\n## Tussenkop\n\nTweede alinea.")
        fields.setdefault("author_name", "Redactie")
        tips = fields.pop("tips", [])
        article = Article.objects.create(**fields)
        Tip.objects.bulk_create(
            Tip(article=article, position=i, text=text) for i, text in enumerate(tips, start=1)
        )
        return article

    return make


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "redacteur", "redacteur@example.nl", "een-lang-wachtwoord", is_staff=True
    )
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def admin_client_nl(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "beheerder", "beheer@example.nl", "een-lang-wachtwoord"
    )
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits and cached pages start empty in every test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def comment_form(client, settings):
    """Fetch the comment form like a reader and fill it in correctly (captcha included).

    Returns a function: fill(article, reply_to=None, **field_overrides) -> POST data.
    """
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    settings.COMMENTS_POST_RATE = "1000/m"

    def fill(article, reply_to=None, **overrides):
        params = {"op": reply_to.pk} if reply_to else {}
        html = client.get(reverse("comments:form", args=[article.pk]), params).content.decode()
        captcha_key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
        data = {
            "name": "Petra de Vries",
            "email": "petra@example.nl",
            "url": "",
            "comment": "Goed punt, dank voor de tips.",
            "form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1),
            "parent": re.search(r'name="parent" value="([^"]*)"', html).group(1)
            if 'name="parent" value="' in html
            else "",
            "captcha_0": captcha_key,
            "captcha_1": CaptchaStore.objects.get(hashkey=captcha_key).response,
        }
        data.update(overrides)
        return data

    return fill


def post_url(article):
    return reverse("comments:form", args=[article.pk])
