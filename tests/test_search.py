"""Site search at /zoeken/: finds published articles by their words, on SQLite and PostgreSQL."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, Tip
from search.models import SearchDocument
from tests.html_audit import assert_page_is_inert

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming needs PostgreSQL's Dutch dictionary"
)


def search(client, query, **params):
    return client.get(reverse("search:results"), {"q": query, **params})


def titles_found(response):
    assert response.status_code == 200
    return [result.article.title for result in response.context["page_obj"]]


def results_html(response):
    html = response.content.decode()
    return html[html.index('<ol class="search-results">') :]


def error_of(response):
    found = re.search(r'<ul class="errorlist"[^>]*>\s*<li>(.*?)</li>', response.content.decode())
    return found and found.group(1)


def test_a_word_from_the_seed_articles_body_finds_it(client, seed_article):
    assert titles_found(search(client, "Manpower")) == [seed_article.title]


def test_the_english_page_finds_the_same(client, seed_article):
    with translation.override("en"):
        address = reverse("search:results")
    assert address == "/en/zoeken/"
    response = client.get(address, {"q": "Manpower"})
    assert titles_found(response) == [seed_article.title]
    assert '<html lang="en">' in response.content.decode()


def test_a_word_from_a_tip_finds_the_article(client, seed_article):
    assert titles_found(search(client, "vraagbaak")) == [seed_article.title]


def test_all_words_must_match_whatever_their_case_and_accents(client, seed_article):
    assert titles_found(search(client, "BLOKKER prive")) == [seed_article.title]
    assert titles_found(search(client, "Blokker olifantenpaadje")) == []


def test_a_shorter_form_finds_the_longer_word(client, seed_article):
    """ "richtlijn" finds "richtlijnen" (stemming on PostgreSQL, a prefix on SQLite)."""
    assert titles_found(search(client, "richtlijn")) == [seed_article.title]


@on_postgresql
def test_a_dutch_inflection_finds_the_other_form(client, make_article):
    """The longer form finds the shorter too, which a prefix could not."""
    make_article(title="Nieuw beleid", body="Elke werkplek krijgt een scherm.")
    make_article(title="Ander nieuws", lead="Meer investeringen in het mkb.")
    assert titles_found(search(client, "werkplekken")) == ["Nieuw beleid"]
    assert titles_found(search(client, "investering")) == ["Ander nieuws"]


def test_a_title_match_ranks_above_a_body_match(client, make_article):
    make_article(title="Gewoon nieuws", body="Hier gaat het over de zonnepanelen.")
    make_article(
        title="Zonnepanelen voor het mkb",
        body="Iets anders.",
        published_at=timezone.now() - datetime.timedelta(days=300),
    )
    assert titles_found(search(client, "zonnepanelen")) == [
        "Zonnepanelen voor het mkb",
        "Gewoon nieuws",
    ]


def test_the_snippet_marks_the_word_in_the_body(client, make_article):
    make_article(lead="Een inleiding.", body="Eerst veel tekst. Dan de zeldzaamheid zelf. Einde.")
    html = results_html(search(client, "zeldzaamheid"))
    assert "<mark>zeldzaamheid</mark>" in html
    assert "Dan de" in html


def test_the_lead_is_shown_with_the_word_marked_when_it_has_it(client, make_article):
    make_article(lead="Over belastingaangifte gesproken.", body="Belastingaangifte ook hier.")
    html = results_html(search(client, "belastingaangifte"))
    assert "Over <mark>belastingaangifte</mark> gesproken." in html


def test_article_text_cannot_inject_html_into_the_results(client, make_article):
    make_article(
        title="<b>Vet</b> kopwoord",
        lead='Let op <img src=x onerror="alert(1)"> kopwoord.',
        body="Tekst <script>alert(2)</script> met kopwoord & meer.",
        tips=[],
    )
    response = search(client, "kopwoord")
    html = results_html(response)
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;img src=x" in html
    assert "<mark>kopwoord</mark>" in html
    assert_page_is_inert(response.content.decode())


def test_the_query_cannot_inject_html(client, seed_article):
    response = search(client, '<img src=x onerror="alert(1)">')
    html = response.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert_page_is_inert(html)


def test_results_are_paged_with_the_query_kept(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 2
    for number in range(3):
        make_article(title=f"Bericht {number}", body="Over de energietransitie.")
    first = search(client, "energietransitie")
    assert len(titles_found(first)) == 2
    assert 'rel="next" href="?q=energietransitie&amp;pagina=2"' in first.content.decode()
    second = search(client, "energietransitie", pagina="2")
    assert len(titles_found(second)) == 1
    assert 'rel="prev" href="?q=energietransitie&amp;pagina=1"' in second.content.decode()
    assert set(titles_found(first) + titles_found(second)) == {f"Bericht {n}" for n in range(3)}
    assert search(client, "energietransitie", pagina="x'<").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["", "   ", "?!...", '"', "*", "(", "-", "x" * 5000, "Blokker\x00", "a " * 20],
    ids=[
        "empty",
        "spaces",
        "punctuation",
        "quote",
        "star",
        "paren",
        "minus",
        "long",
        "nul",
        "many",
    ],
)
def test_a_query_that_cannot_be_searched_gets_a_message(client, query):
    response = search(client, query)
    assert response.status_code == 400
    assert error_of(response)
    assert response.context["page_obj"] is None


@pytest.mark.parametrize(
    "query",
    ['"Blokker', "Blokker*", "NEAR(Blokker", "Blokker OR", "Blokker AND NOT", "'; DROP", "^Blok"],
)
def test_query_language_operators_are_read_as_words(client, seed_article, query):
    """Nothing a reader types is an operator of FTS5 or tsquery: never an error."""
    assert search(client, query).status_code == 200


def test_fts5_operators_do_not_work_as_operators(client, seed_article):
    # As an operator OR would find the seed article; as a word it must be there too.
    assert titles_found(search(client, "Manpower OR olifantenpaadje")) == []
    assert titles_found(search(client, "Manpower | olifantenpaadje")) == []


def test_the_page_without_a_query_shows_the_form(client):
    response = client.get(reverse("search:results"))
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert not error_of(response)
    assert 'name="q"' in response.content.decode()


def test_no_results_says_so(client, seed_article):
    response = search(client, "olifantenpaadje")
    assert titles_found(response) == []
    assert "olifantenpaadje" in response.content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + datetime.timedelta(days=2)},
    ],
    ids=["draft", "scheduled"],
)
def test_only_published_articles_are_found(client, make_article, fields):
    make_article(title="Gepubliceerd", body="Over de waterstofeconomie.")
    make_article(title="Verborgen", body="Ook over de waterstofeconomie.", **fields)
    assert titles_found(search(client, "waterstofeconomie")) == ["Gepubliceerd"]


def test_staff_find_only_published_articles_too(staff_client, make_article):
    make_article(title="Concept", body="De waterstofeconomie.", status=Article.Status.DRAFT)
    assert titles_found(search(staff_client, "waterstofeconomie")) == []


def test_an_edited_article_is_found_by_its_new_words(client, make_article):
    article = make_article(title="Eerste versie", body="Over kwartaalcijfers.")
    assert titles_found(search(client, "kwartaalcijfers")) == ["Eerste versie"]
    article.body = "Over jaarcijfers."
    article.title = "Tweede versie"
    article.save()
    assert titles_found(search(client, "kwartaalcijfers")) == []
    assert titles_found(search(client, "jaarcijfers")) == ["Tweede versie"]


def test_a_deleted_article_is_no_longer_found(client, make_article):
    article = make_article(body="Over kwartaalcijfers.")
    Tip.objects.create(article=article, position=1, text="Een tip.")
    article.delete()
    assert titles_found(search(client, "kwartaalcijfers")) == []
    assert not SearchDocument.objects.filter(article_id=article.pk).exists()


def test_tips_added_changed_and_deleted_are_reflected(client, make_article):
    article = make_article(title="Met tips")
    tip = Tip.objects.create(article=article, position=1, text="Vraag om een offerte.")
    assert titles_found(search(client, "offerte")) == ["Met tips"]
    tip.text = "Vraag om een **referentie**."  # a tip in Markdown: its words are found
    tip.save()
    assert titles_found(search(client, "offerte")) == []
    assert titles_found(search(client, "referentie")) == ["Met tips"]
    assert "**" not in SearchDocument.objects.get(article=article).text
    tip.delete()
    assert titles_found(search(client, "referentie")) == []


def test_rebuilding_the_index_picks_up_changes_made_without_signals(client, make_article):
    article = make_article(title="Stil bijgewerkt")
    Article.objects.filter(pk=article.pk).update(lead="Over de pensioenregeling.")
    Tip.objects.bulk_create([Tip(article=article, position=1, text="Denk aan de accountant.")])
    assert titles_found(search(client, "pensioenregeling")) == []
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert titles_found(search(client, "pensioenregeling accountant")) == ["Stil bijgewerkt"]


def test_the_index_holds_plain_text(seed_article):
    document = SearchDocument.objects.get(article=seed_article)
    assert "<" not in document.text
    assert "[tips]" not in document.text
    assert "Zakelijk versus privé" in document.text
    assert "vraagbaak" in document.text  # the tips


def test_the_results_page_is_not_for_search_engines_and_sets_no_cookie(client, seed_article):
    with CaptureQueriesContext(connection) as queries:
        response = search(client, "Blokker")
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert not response.cookies
    assert "public" in response["Cache-Control"]
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_the_results_page_takes_a_fixed_number_of_queries(
    client, make_article, django_assert_max_num_queries
):
    for number in range(8):
        make_article(title=f"Artikel {number}", body="Over de arbeidsmarkt.")
    with django_assert_max_num_queries(6):
        assert len(titles_found(search(client, "arbeidsmarkt"))) == 8


def test_every_page_has_the_search_form_in_the_masthead(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    form = re.search(r"<form[^>]*>", header).group(0)
    assert 'role="search"' in form
    assert 'method="get"' in form
    assert 'action="/zoeken/"' in form
    assert '<label class="visually-hidden" for="site-search-q">' in header
    assert '<input class="site-search__input" type="search" id="site-search-q" name="q"' in header


def test_the_messages_are_dutch(client):
    # needs translations
    assert error_of(search(client, "")) == "Typ een of meer woorden om naar te zoeken."
    assert error_of(search(client, "?!")) == (
        "Zoek op woorden of getallen: met alleen leestekens vindt u niets."
    )
    html = search(client, "olifantenpaadje").content.decode()
    assert "Geen artikelen gevonden voor “olifantenpaadje”." in html
