import datetime

import pytest
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
