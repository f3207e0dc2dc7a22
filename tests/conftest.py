import base64
import binascii
import contextlib
import datetime
import re
import zlib

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, Tip
from comments.models import Comment
from tests.mail_sink import MailSink, links_in, path_of

SEED_SLUG = "drie-tips-voor-social-mediarichtlijnen"
SUBSCRIBER = "volger@example.nl"


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
def moderator_user(django_user_model):
    """A moderator as the site makes them: staff in the group "Moderatoren", no superuser."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "moderator",
        "moderator@example.nl",
        "een-lang-wachtwoord",
        is_staff=True,
        first_name="Mo",
        last_name="Derator",
    )
    user.groups.add(Group.objects.get(name="Moderatoren"))
    return user


@pytest.fixture
def moderator(client, moderator_user):
    """The test client, logged in as that moderator (`moderator.user`)."""
    client.force_login(moderator_user)
    client.user = moderator_user
    return client


@pytest.fixture
def admin_client_nl(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "beheerder", "beheer@example.nl", "een-lang-wachtwoord"
    )
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def dutch_by_default():
    """Each test starts in the site's language, whatever the previous request chose."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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


@pytest.fixture
def post(client, comment_form):
    """Post a comment as a reader, from the page in `language`; returns the new comment."""

    def post(article, reply_to=None, language=settings.LANGUAGE_CODE, **fields):
        with translation.override(language):
            data = comment_form(article, reply_to=reply_to, **fields)
            response = client.post(post_url(article), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        return Comment.objects.latest("pk")

    return post


@pytest.fixture
def subscribe(client, post, smtp_sink, run_worker):
    """Comment with the box ticked and confirm from the mail, like a reader."""

    def subscribe(article, email=SUBSCRIBER, **fields):
        comment = post(article, email=email, followup="on", **fields)
        run_worker()
        [confirmation] = smtp_sink.to(email)
        confirm = next(link for link in links_in(confirmation) if "/bevestigen/" in link)
        response = client.post(path_of(confirm))
        assert "Aanmelding bevestigd" in response.content.decode()
        smtp_sink.clear()
        return comment

    return subscribe


def token_of(link):
    """The token in a mail link: its path's last segment."""
    return path_of(link).rstrip("/").rsplit("/", 1)[-1]


def readable_in(token):
    """What anyone holding a link can read from its token: the token itself, and each of
    its segments (between Django signing's colons and dots) decoded as base64url, padded,
    and decompressed too where that works."""
    readable = [token.encode()]
    for segment in re.split(r"[:.]", token):
        try:
            decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            continue
        readable.append(decoded)
        with contextlib.suppress(zlib.error):
            readable.append(zlib.decompress(decoded))
    return readable


def reveals(token, *, email, subscription_id=None):
    """Whether the token shows the address (or its local part), or the subscription's id
    as the JSON payload of a signed link has it."""
    local_part = email.split("@")[0].lower().encode()
    id_pattern = None
    if subscription_id is not None:
        id_pattern = re.compile(rb'"s"\s*:\s*%d(?!\d)' % subscription_id)
    for data in readable_in(token):
        if email.lower().encode() in data.lower() or local_part in data.lower():
            return True
        if id_pattern is not None and id_pattern.search(data):
            return True
    return False


@pytest.fixture
def smtp_sink(settings):
    """Mail goes over real SMTP to a local aiosmtpd server; the test reads what arrived."""
    sink = MailSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()


@pytest.fixture
def run_worker(settings, monkeypatch):
    """Run the background worker in this process until no task is ready."""
    # A failed mail waits for its retry: a batch run that asserts one attempt
    # must not meet the retry on a slow machine.
    settings.MAIL_RETRY_BASE_SECONDS = 600
    # The worker closes "old" connections between tasks, which would close the
    # test's own transaction; in this process there is only that one connection.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    return run


# Images


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_image(db, media_root):
    """Store an uploaded image as the admin does; with renditions=True, make them too."""
    from images.models import Image
    from images.renditions import make_renditions
    from images.uploads import clean_upload
    from tests.image_files import image_bytes, upload

    def make(content=None, *, name="foto.jpg", renditions=True, **fields):
        clean = clean_upload(upload(name, content or image_bytes()))
        fields.setdefault("alt_text", "Heuvels onder een zomerzon")
        image = Image.objects.create(
            file=clean.file, width=clean.width, height=clean.height, **fields
        )
        if renditions:
            make_renditions(image)
        return image

    return make
