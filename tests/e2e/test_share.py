""" "Doorsturen": the Web Share API where the browser has it, the mailto: link otherwise."""

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTICLE_PATH

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Drie tips voor social mediarichtlijnen"
FORWARD = "Doorsturen"

# Init scripts run in every document before the page's own scripts; Playwright adds
# them through the DevTools protocol, so the page's CSP (script-src 'self') does not
# apply to them.
RECORD_CLICKS = """
window.__clicks = [];
// Registered on window, so it runs after share.js's listener on document: it sees
// whether the script took the click over, and keeps the browser from starting an
// e-mail program for a mailto: link.
window.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (link && link.href.startsWith("mailto:")) {
    window.__clicks.push({ prevented: event.defaultPrevented, href: link.href });
    event.preventDefault();
  }
});
"""
STUB_SHARE = """
window.__shared = [];
Object.defineProperty(Navigator.prototype, "share", {
  configurable: true,
  value: function (data) {
    window.__shared.push({ title: data.title, url: data.url });
    return %s;
  },
});
"""
SHARE_RESOLVES = STUB_SHARE % "Promise.resolve()"
SHARE_ABORTED = STUB_SHARE % 'Promise.reject(new DOMException("Share canceled", "AbortError"))'
NO_SHARE = """
delete Navigator.prototype.share;
delete Navigator.prototype.canShare;
"""


def mailto(settings):
    body = quote(settings.SITE_URL + ARTICLE_PATH, safe="")
    return f"mailto:?subject={quote(TITLE, safe='')}&body={body}"


def forward_link(page):
    return page.locator(".article__footer").get_by_role("link", name=FORWARD, exact=True)


def open_article(page, *init_scripts):
    for script in init_scripts:
        page.add_init_script(script)
    page.goto(ARTICLE_PATH)
    # share.js is deferred: wait until the document has run it.
    page.wait_for_function("document.readyState === 'complete'")


def test_forward_uses_the_web_share_api(page, seed_article, settings):
    canonical = settings.SITE_URL + ARTICLE_PATH
    open_article(page, RECORD_CLICKS, SHARE_RESOLVES)
    assert page.evaluate("typeof navigator.share") == "function"  # the stub works under CSP
    link = forward_link(page)
    expect(link).to_have_attribute("data-share-title", TITLE)
    expect(link).to_have_attribute("data-share-url", canonical)

    link.click()

    page.wait_for_function("window.__shared.length === 1")
    assert page.evaluate("window.__shared") == [{"title": TITLE, "url": canonical}]
    clicks = page.evaluate("window.__clicks")
    assert [click["prevented"] for click in clicks] == [True], "share.js must stop the mailto:"
    assert page.url.endswith(ARTICLE_PATH)


def test_closing_the_share_sheet_does_not_fall_back_to_mail(page, seed_article):
    open_article(page, RECORD_CLICKS, SHARE_ABORTED)
    forward_link(page).click()
    page.wait_for_function("window.__shared.length === 1")
    page.wait_for_timeout(200)  # a fallback would navigate to the mailto: link now
    assert page.url.endswith(ARTICLE_PATH)
    assert [click["prevented"] for click in page.evaluate("window.__clicks")] == [True]


def test_without_web_share_the_link_stays_a_mailto_link(page, seed_article, settings):
    open_article(page, RECORD_CLICKS, NO_SHARE)
    assert page.evaluate("typeof navigator.share") == "undefined"
    link = forward_link(page)
    href = link.get_attribute("href")
    assert href == mailto(settings)

    link.click()

    page.wait_for_function("window.__clicks.length === 1")
    clicks = page.evaluate("window.__clicks")
    assert clicks == [{"prevented": False, "href": href}], "the browser follows the mailto:"
    assert page.url.endswith(ARTICLE_PATH)


def test_without_javascript_forward_is_the_mailto_link(nojs_page, seed_article, settings):
    nojs_page.goto(ARTICLE_PATH)
    expect(forward_link(nojs_page)).to_have_attribute("href", mailto(settings))
