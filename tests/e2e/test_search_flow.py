"""A reader searches from the masthead in Chromium: Tab to the search box, type a word,
Enter, and the seed article is in the results with the word marked; axe-core on the
results at desktop and phone width, and nothing overflows sideways on the phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTICLE_PATH, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
SEED_TITLE = "Drie tips voor social mediarichtlijnen"


def test_search_from_the_masthead_by_keyboard(page, seed_article, axe, screenshot):
    page.goto(ARTICLE_PATH)
    search_box = page.locator("header #site-search-q")
    tab_to(page, search_box)
    page.keyboard.type("kantooruren")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/zoeken/\?q=kantooruren$"))
    result = page.locator(".search-results li")
    expect(result).to_have_count(1)
    expect(result.get_by_role("link", name=SEED_TITLE)).to_have_attribute("href", ARTICLE_PATH)
    expect(result.locator("mark").first).to_have_text(re.compile("kantooruren", re.I))
    axe(page)
    screenshot(page, "search-results.png")

    page.set_viewport_size(PHONE)
    axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The results page's own form searches again, the query kept in it.
    expect(page.locator("main input[name=q]")).to_have_value("kantooruren")
