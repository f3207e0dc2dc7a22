"""The footer's language switch (Django's set_language form), with and without JavaScript.

It opens the same page in the other language. The address chooses the language (English
under /en/), so the choice stays with every link the reader follows on the site, until
they switch back.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTICLE_PATH, reply_link

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTICLE_TITLE = "Drie tips voor social mediarichtlijnen"
TO_ENGLISH = "Read this page in English"
TO_DUTCH = "Lees deze pagina in het Nederlands"


def switch_language(page, name):
    page.locator(".site-footer").get_by_role("button", name=name).click()


def expect_language(page, language, path):
    """The page is at `path` (perhaps with a #fragment) and in `language`."""
    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(path) + "(#[\\w-]+)?$"))
    expect(page.locator("html")).to_have_attribute("lang", language)


def language_cookie(page):
    """set_language's cookie, as the browser keeps it."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == "django_language"]
    return cookie


def expect_english_article(page, laila):
    expect_language(page, "en", "/en" + ARTICLE_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE_TITLE)  # as written
    expect(page.locator(".article__meta time")).to_have_text("10 May 2012")
    expect(page.locator("#reacties-titel")).to_have_text("Comments (5)")
    expect(reply_link(page, laila)).to_have_text("Reply")
    expect(page.get_by_role("link", name="Write a comment")).to_be_visible()
    expect(page.locator(".article__actions").get_by_role("link", name="Forward")).to_be_visible()
    expect(page.locator(".site-footer").get_by_role("link", name="Newsletter")).to_be_visible()


def expect_dutch_article(page, laila):
    expect_language(page, "nl", ARTICLE_PATH)
    expect(page.locator(".article__meta time")).to_have_text("10 mei 2012")
    expect(page.locator("#reacties-titel")).to_have_text("Reacties (5)")
    expect(reply_link(page, laila)).to_have_text("Reageren")


def test_switch_to_english_and_back(page, seed_comments, axe):
    laila = seed_comments["laila"]
    page.goto(ARTICLE_PATH)
    expect_dutch_article(page, laila)

    switch_language(page, TO_ENGLISH)
    expect_english_article(page, laila)
    cookie = language_cookie(page)
    assert (cookie["value"], cookie["httpOnly"], cookie["sameSite"]) == ("en", True, "Lax")
    axe(page)

    # The reply form is fetched into the page in English too.
    reply_link(page, laila).click()
    form = page.locator(f"#reply-slot-{laila} form.comment-form")
    expect(form.locator(".comment-form__context")).to_have_text("Your reply to Laila Simonis")
    expect(form.get_by_label("Name:", exact=True)).to_be_visible()
    expect(form.get_by_role("button", name="Post comment")).to_be_visible()
    expect(form.locator("img.captcha__image")).to_have_js_property("complete", True)
    axe(page)

    # The site's own links keep the reader in English.
    page.locator(".site-header").get_by_role("link", name="Front page", exact=True).click()
    expect_language(page, "en", "/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Latest news")
    expect(page.locator(".teaser__meta").first).to_contain_text("5 comments")

    # Back in Dutch, the links lead to Dutch pages again.
    switch_language(page, TO_DUTCH)
    expect_language(page, "nl", "/")
    assert language_cookie(page)["value"] == "nl"
    # needs translations
    expect(page.get_by_role("heading", level=1)).to_have_text("Laatste nieuws")
    page.get_by_role("link", name=ARTICLE_TITLE).click()
    expect_dutch_article(page, laila)


def test_switch_language_without_javascript(nojs_page, seed_article, seed_comments):
    page = nojs_page
    laila = seed_comments["laila"]
    form_page = f"/reacties/{seed_article.pk}/reageren/?op={laila}"
    page.goto(ARTICLE_PATH)
    expect_dutch_article(page, laila)

    switch_language(page, TO_ENGLISH)
    expect_english_article(page, laila)

    # Without JavaScript "Reply" opens the form on a page of its own, in English.
    reply_link(page, laila).click()
    expect_language(page, "en", "/en" + form_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply")
    expect(page.get_by_label("Name:", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Post comment")).to_be_visible()

    # Switching back keeps the reader on the same form, now in Dutch.
    switch_language(page, TO_DUTCH)
    expect_language(page, "nl", form_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reageren")
    expect(page.get_by_label("Naam:", exact=True)).to_be_visible()
    page.get_by_role("link", name=f"← {ARTICLE_TITLE}").click()
    expect_dutch_article(page, laila)
