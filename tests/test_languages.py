"""Everything a reader sees exists in Dutch and English; the address chooses the language."""

import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def catalogue(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_translation_files_have_no_fuzzy_or_empty_entries(language):
    po = catalogue(language)
    assert po.fuzzy_entries() == []
    assert po.untranslated_entries() == []
    assert len(po) > 100


def visible_text(html):
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    # The language switch is written in the language it leads to.
    html = re.sub(r'<form [^>]*\blang="[a-z]+"[^>]*>.*?</form>', " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def sentences(language):
    """Translated sentences of three words or more that differ between the languages."""
    for entry in catalogue("nl"):
        if entry.msgid_plural or "%" in entry.msgid or len(entry.msgid.split()) < 3:
            continue
        if entry.msgstr and entry.msgid != entry.msgstr:
            yield entry.msgid if language == "nl" else entry.msgstr


def pages(seed_article, prefix):
    with translation.override("nl" if prefix == "" else "en"):
        return [
            reverse("articles:index"),
            seed_article.get_absolute_url(),
            reverse("comments:form", args=[seed_article.pk]),
            reverse("comments:follow", args=[seed_article.pk]),
            reverse("newsletter:signup"),
            reverse("privacy:page"),
            reverse("privacy:request"),
        ]


@pytest.mark.parametrize(("language", "prefix"), [("nl", ""), ("en", "/en")])
def test_pages_show_no_string_of_the_other_language(client, seed_article, language, prefix):
    other_language_sentences = set(sentences(language))
    for url in pages(seed_article, prefix):
        assert url.startswith(prefix + "/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        text = visible_text(html)
        leaked = [sentence for sentence in other_language_sentences if sentence in text]
        assert leaked == [], (url, leaked)


def test_the_english_article_page_is_in_english(client, seed_article):
    with translation.override("en"):
        url = seed_article.get_absolute_url()
    html = client.get(url).content.decode()
    assert url == "/en/nieuws/2012/05/10/drie-tips-voor-social-mediarichtlijnen/"
    assert "Comments <span" in html
    assert ">Forward</a>" in html
    assert "This comment has been removed." in html
    assert "Drie tips voor social mediarichtlijnen" in html  # the article stays as written
    # ... and is marked as Dutch, so a screen reader reads it with a Dutch voice.
    assert '<h1 lang="nl">Drie tips voor social mediarichtlijnen</h1>' in html
    assert '<div class="article__body" lang="nl">' in html
    assert '<p class="article__lead" lang="nl">' in html
    assert '<meta property="og:locale" content="en_GB">' in html


def test_the_footer_switches_language_and_back(client, seed_article, settings):
    with translation.override("nl"):
        dutch = seed_article.get_absolute_url()
    english = f"/en{dutch}"
    html = client.get(dutch).content.decode()
    assert '<form class="language-switch" action="/taal/" method="post" lang="en">' in html
    assert f'<input type="hidden" name="next" value="{english}">' in html
    assert f'<link rel="alternate" hreflang="en" href="{settings.SITE_URL}{english}">' in html

    response = client.post("/taal/", {"language": "en", "next": english})
    assert response.status_code == 302
    assert response["Location"] == english
    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    back = client.get(english).content.decode()
    assert "Comments <span" in back
    assert f'<input type="hidden" name="next" value="{dutch}">' in back
    assert ">Lees deze pagina in het Nederlands</button>" in back

    response = client.post("/taal/", {"language": "nl", "next": dutch})
    assert response["Location"] == dutch
    assert response.cookies["django_language"].value == "nl"
    assert "Reacties <span" in client.get(dutch).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"language": "xx", "next": "/"},
        {"language": "en", "next": "javascript:alert(1)"},
        {"language": "en", "next": "//evil.example/"},
        {"language": "en\x00", "next": "/\x00"},
        {"language": "en", "next": "/" + "a" * 5000},
        {},
    ],
)
def test_odd_language_switches_stay_on_the_site(client, data):
    response = client.post("/taal/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/")
    assert not response["Location"].startswith("//")


def test_the_language_switch_needs_no_csrf_token_and_stays_on_the_site(seed_article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/taal/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"  # not off the site


def test_each_language_is_cached_on_its_own(client, seed_article):
    with translation.override("nl"):
        dutch = seed_article.get_absolute_url()
    client.get(dutch)
    english = client.get(f"/en{dutch}").content.decode()
    assert "Comments <span" in english
    assert "Reacties <span" in client.get(dutch).content.decode()


@pytest.mark.parametrize(
    ("prefix", "heading", "home"),
    [("", "Er ging iets mis", 'href="/"'), ("/en", "Something went wrong", 'href="/en/"')],
)
def test_the_500_page_speaks_the_page_language(seed_article, monkeypatch, prefix, heading, home):
    from django.test import Client

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("articles.views.Paginator", broken)
    response = Client(raise_request_exception=False).get(f"{prefix}/?pagina=500")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{prefix[1:] or "nl"}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert home in html


def test_the_language_switch_on_a_missing_page_leads_to_the_other_languages_home(client):
    html = client.get("/bestaat-niet/").content.decode()
    assert '<input type="hidden" name="next" value="/en/">' in html


def test_the_site_wide_comment_feed_is_linked_from_every_page(client, seed_article):
    html = client.get("/").content.decode()
    assert '<a href="/reacties/feed/rss/">Nieuwste reacties (RSS)</a>' in html
