"""The masthead and a section listing in Chromium, on a desktop and on a phone.

- The masthead names the site and lists the sections; following one by keyboard opens its
  listing with that section marked current (aria-current), the teasers with their leads.
- From the listing to the article, whose byline leads to the author's page.
- At 390 pixels nothing overflows sideways: the sections scroll within the masthead.
- axe-core on every page opened; screenshots of the section listing on both.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import ARTICLE_PATH, LOCALE

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
SECTIONS = ["Nieuws", "Ondernemen", "Financiën", "Marketing"]
TAB_LIMIT = 20


@pytest.fixture
def ondernemen_articles(seed_article):
    """Two more articles in Ondernemen, so the listing looks like one."""
    from articles.models import Article

    articles = [
        (
            "Zo houdt u uw eerste medewerker",
            "Een goede start, duidelijke afspraken en ruimte om te leren: drie dingen die "
            "een eerste medewerker bij een klein bedrijf houden.",
        ),
        (
            "Wat de nieuwe regels voor zzp'ers betekenen",
            "Vanaf volgend jaar wordt strenger gekeken naar schijnzelfstandigheid. Wat "
            "betekent dat voor u als opdrachtgever?",
        ),
    ]
    for days, (title, lead) in enumerate(articles, start=1):
        article = Article.objects.create(
            title=title,
            slug=f"ondernemen-{days}",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=days),
            lead=lead,
            body="Tekst.",
            section=seed_article.section,
            author=seed_article.author,
        )
        article.tags.add("personeelsbeleid")


@pytest.fixture
def axe_context(browser, live_server, browser_errors, axe):
    """New pages that ignore the site's CSP (axe-core is injected as a script of its own)."""
    contexts = []

    def open_page(viewport):
        context = browser.new_context(
            base_url=live_server.url, locale=LOCALE, viewport=viewport, bypass_csp=True
        )
        contexts.append(context)
        return browser_errors.watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


def test_the_masthead_leads_to_a_section_listing_and_on_to_the_author(
    axe_context, axe, screenshot, ondernemen_articles
):
    page = axe_context({"width": 1280, "height": 800})
    page.goto("/")
    nav = page.locator("nav.site-nav")
    links = nav.get_by_role("link")
    expect(links).to_have_count(1 + len(SECTIONS))
    expect(links.first).to_have_attribute("href", "/")
    expect(links.first).to_have_attribute("aria-current", "page")
    for link, name in zip(links.all()[1:], SECTIONS, strict=True):
        expect(link).to_have_text(name)
    axe(page)

    # By keyboard: Tab to "Ondernemen" in the masthead and follow it.
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Ondernemen":
            break
    else:
        pytest.fail("Tab never reached the section Ondernemen")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('/rubriek')[0].rstrip('/')}/rubriek/ondernemen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ondernemen")
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_text("Ondernemen")
    teasers = page.locator("article.teaser")
    expect(teasers).to_have_count(3)
    expect(teasers.first.locator(".teaser__lead")).to_contain_text("eerste medewerker")
    axe(page)
    screenshot(page, "section-listing.png")

    page.get_by_role("link", name="Drie tips voor social mediarichtlijnen").click()
    expect(page).to_have_url(f"{page.url.split('/nieuws')[0]}{ARTICLE_PATH}")
    byline = page.locator(".article__author")
    expect(byline).to_contain_text("Senior Account Executive bij LEWIS PR")
    expect(page.locator(".related a.related__title")).to_have_count(2)
    axe(page)
    byline.get_by_role("link", name="Jorie Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jorie Post")
    expect(page.locator("article.teaser")).to_have_count(3)
    axe(page)


def test_the_section_listing_fits_a_phone(axe_context, axe, screenshot, ondernemen_articles):
    page = axe_context(PHONE)
    page.goto("/rubriek/ondernemen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ondernemen")
    nav = page.locator("nav.site-nav")
    expect(nav.locator("[aria-current=page]")).to_have_text("Ondernemen")
    # The page never scrolls sideways; the masthead's sections may, within the masthead.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    last = nav.get_by_role("link", name="Marketing")
    last.focus()
    expect(last).to_be_in_viewport()
    page.evaluate("window.scrollTo(0, 0)")
    nav.evaluate("element => element.scrollLeft = 0")
    page.locator("body").focus()
    axe(page)
    screenshot(page, "section-listing-phone.png")
