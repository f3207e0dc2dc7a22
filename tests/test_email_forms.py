"""The forms with only an e-mail address and a captcha: follow, newsletter, data request."""

import re

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from comments.models import Subscription
from mail.models import OutgoingMail

pytestmark = pytest.mark.django_db

READER = "lezer@example.nl"
PAGES = ["follow", "newsletter", "request"]


@pytest.fixture
def page_url(seed_article):
    def url(name):
        if name == "follow":
            return reverse("comments:follow", args=[seed_article.pk])
        if name == "comment":
            return reverse("comments:form", args=[seed_article.pk])
        if name == "newsletter":
            return reverse("newsletter:signup")
        return reverse(f"privacy:{name}")

    return url


def captcha_key(html):
    return re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)


def title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def filled_in(client, url, **overrides):
    key = captcha_key(client.get(url).content.decode())
    data = {
        "email": READER,
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        "homepage": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("name", PAGES)
def test_the_page_loads_the_forms_script(client, page_url, name):
    html = client.get(page_url(name)).content.decode()
    assert '<script src="/static/js/comments.js" defer></script>' in html


@pytest.mark.parametrize("name", PAGES)
def test_the_captcha_help_does_not_speak_of_a_comment(client, page_url, name):
    html = client.get(page_url(name)).content.decode()
    assert "handmatige reactie" not in html
    assert "om er zeker van te zijn dat een mens dit formulier invult" in html


@pytest.mark.parametrize("name", PAGES)
def test_a_new_code_without_javascript_keeps_the_address_and_shows_no_error(client, page_url, name):
    data = filled_in(client, page_url(name), captcha_1="", nieuwe_code="1")
    response = client.post(page_url(name), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{READER}"' in html
    assert captcha_key(html) != data["captcha_0"]
    assert "form-errors" not in html
    assert 'aria-invalid="true"' not in html
    assert not title(html).startswith("Fout:")
    assert not Subscription.objects.exists()
    assert not OutgoingMail.objects.exists()


@pytest.mark.parametrize("name", PAGES)
def test_a_form_with_errors_says_so_in_the_page_title(client, page_url, name):
    assert not title(client.get(page_url(name)).content.decode()).startswith("Fout:")
    response = client.post(page_url(name), filled_in(client, page_url(name), captcha_1="fout"))
    html = response.content.decode()
    assert "De code klopt niet." in html
    assert title(html).startswith("Fout: ")


def test_the_title_says_error_in_english_too(client, page_url):
    url = "/en" + page_url("newsletter")
    response = client.post(url, filled_in(client, url, email="geen-adres"))
    assert title(response.content.decode()).startswith("Error: ")


@pytest.mark.parametrize("name", [*PAGES, "comment"])
def test_the_spoken_code_says_its_letters_are_english(client, page_url, name, monkeypatch):
    """flite spells the code with English letter names; the listener is told so."""
    monkeypatch.setattr("captcha.conf.settings.CAPTCHA_FLITE_PATH", "/usr/bin/flite")
    html = client.get(page_url(name)).content.decode()
    assert ">Laat de code voorlezen</a>" in html
    assert "(de letters worden in het Engels uitgesproken)" in html


@pytest.mark.parametrize(
    "address",
    [
        "lezer@voor\u202ebeeld.nl",  # right-to-left override
        "lezer@voor\u200bbeeld.nl",  # zero-width space
        "le\u00adzer@voorbeeld.nl",  # soft hyphen
        "lezer@voorbeeld\u2060.nl",  # word joiner
        "lezer\u3164@voorbeeld.nl",  # Hangul filler (looks like nothing)
    ],
)
@pytest.mark.parametrize("name", PAGES)
def test_an_address_with_invisible_characters_is_refused_with_a_dutch_message(
    client, page_url, name, address
):
    response = client.post(page_url(name), filled_in(client, page_url(name), email=address))
    assert response.status_code == 200
    assert "Uw e-mailadres bevat tekens die niet zijn toegestaan" in response.content.decode()
    assert not Subscription.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_one_address_written_many_ways_is_one_address(client, page_url):
    """Case and full-width letters make no second subscription and no second mail."""
    for address in ("Lezer@Voorbeeld.NL", "lezer@ｖｏｏｒｂｅｅｌｄ.nl", "LEZER@voorbeeld.nl"):
        url = page_url("newsletter")
        response = client.post(url, filled_in(client, url, email=address))
        assert response.status_code == 200
    assert list(Subscription.objects.values_list("email", flat=True)) == ["lezer@voorbeeld.nl"]
    assert OutgoingMail.objects.count() == 1


def test_a_comment_keeps_its_address_in_one_form(client, seed_article, comment_form):
    from comments.models import Comment

    data = comment_form(seed_article, email="Petra@Voorbeeld.NL")
    assert client.post(reverse("comments:form", args=[seed_article.pk]), data).status_code == 302
    assert Comment.objects.latest("pk").user_email == "petra@voorbeeld.nl"
