"""An editor's unsaved text in the admin's article form survives a reload, in Chromium.

Typed into the body and reloaded without saving, the text is offered back (restore or
discard) and restored, by keyboard; after a save nothing is offered; no CSP violation
occurs (browser_errors). The text of a save that failed is kept. In the "add" form a
discarded draft stays discarded, and axe-core finds nothing in the offer (injected with
the CSP bypassed, as axe-core applies inline styles of its own; the rest of the form is
Django's admin).
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, LOCALE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_SENTENCE = " Een zin die de redacteur nog niet had opgeslagen."
NEW_TIP = "Een **vierde** tip."


def expect_offer_accessible(page):
    """axe-core's rules on the offer (the `axe` fixture checks that axe is installed)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context="#autosave-offer")
    assert results.violations_count == 0, results.generate_report()


def log_in(page):
    page.goto("/beheer/")
    page.get_by_label("Gebruikersnaam").fill("redactie")
    page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator('a[href="/beheer/articles/article/"]').first).to_be_visible()
    return page


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(
        "redactie", "redactie@example.nl", "een-lang-wachtwoord"
    )


@pytest.fixture
def axe_page(browser, live_server, browser_errors, axe, editor):
    """A logged-in page that ignores the site's CSP, so that axe-core can run in it."""
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALE, viewport=DESKTOP, bypass_csp=True
    )
    yield log_in(browser_errors.watch(context.new_page()))
    context.close()


def test_unsaved_text_is_offered_back_after_a_reload(page, editor, seed_article):
    log_in(page)
    page.goto(f"/beheer/articles/article/{seed_article.pk}/change/")
    offer = page.locator("#autosave-offer")
    body = page.locator("#id_body")
    expect(offer).to_be_hidden()

    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(NEW_SENTENCE)
    # A tip in a row the editor added beyond the form's empty ones.
    page.locator("#tips-group .add-row a").click()
    page.locator("#id_tips-6-position").fill("4")
    page.locator("#id_tips-6-text").fill(NEW_TIP)
    page.reload()

    expect(offer).to_be_visible()
    expect(offer).to_be_focused()
    assert NEW_SENTENCE not in body.input_value()
    # The keyboard reaches the choice: the first button after the offer itself.
    page.keyboard.press("Tab")
    expect(offer.locator("[data-autosave-restore]")).to_be_focused()
    page.keyboard.press("Enter")

    expect(offer).to_be_hidden()
    assert body.input_value().endswith(NEW_SENTENCE.strip())
    expect(page.locator("#id_tips-6-text")).to_have_value(NEW_TIP)

    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(offer).to_be_hidden()
    page.reload()
    expect(page.locator("#id_body")).to_be_visible()
    expect(offer).to_be_hidden()
    assert page.locator("#id_body").input_value().endswith(NEW_SENTENCE.strip())
    seed_article.refresh_from_db()
    assert seed_article.body.endswith(NEW_SENTENCE.strip())
    assert seed_article.tips.last().text == NEW_TIP

    # The save kept a revision; its page (what a restore changes) meets the CSP too.
    page.goto(f"/beheer/articles/article/{seed_article.pk}/history/")
    page.locator("#change-history a").first.click()
    expect(page.locator(".revision-changes")).to_be_visible()
    expect(offer).to_be_hidden()


def test_a_discarded_draft_of_a_new_article_is_gone(axe_page):
    page = axe_page
    page.goto("/beheer/articles/article/add/")
    page.locator("#id_title").press_sequentially("Concept dat weg mag")
    page.reload()

    offer = page.locator("#autosave-offer")
    expect(offer).to_be_visible()
    expect_offer_accessible(page)
    offer.locator("[data-autosave-discard]").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#id_title")).to_have_value("")
    page.reload()

    expect(page.locator("#id_title")).to_be_visible()
    expect(offer).to_be_hidden()


def test_text_of_a_save_that_failed_is_kept(page, editor):
    log_in(page)
    page.goto("/beheer/articles/article/add/")
    page.locator("#id_title").press_sequentially("Zonder inleiding")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".errornote")).to_be_visible()
    offer = page.locator("#autosave-offer")
    expect(offer).to_be_hidden()

    page.goto("/beheer/")
    page.goto("/beheer/articles/article/add/")

    expect(offer).to_be_visible()
    offer.locator("[data-autosave-restore]").click()
    expect(page.locator("#id_title")).to_have_value("Zonder inleiding")
