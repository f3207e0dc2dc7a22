"""An article with a lead image in Chromium, on a phone and on a desktop.

The browser takes the AVIF rendition that fits the column from the srcset, the picture
keeps its proportions (width and height are set, so nothing shifts when it arrives), the
caption and credit are under it, nothing scrolls sideways and axe-core finds nothing.
Screenshots: docs/screenshots/article-lead-image.png and article-lead-image-phone.png.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTICLE_PATH, DESKTOP
from tests.image_files import image_bytes

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def article_with_lead_image(seed_article, make_image):
    seed_article.lead_image = make_image(
        image_bytes("JPEG", (1600, 900)),
        caption="Heuvels in de zomer: het landschap waarin veel ondernemers beginnen.",
        credit="Redactie",
    )
    seed_article.save()
    return seed_article


@pytest.mark.parametrize(
    ("viewport", "screenshot_name", "column"),
    [(DESKTOP, "article-lead-image.png", 640), (PHONE, "article-lead-image-phone.png", 358)],
)
def test_the_lead_image_fits_the_column_in_its_best_format(
    page, article_with_lead_image, axe, screenshot, viewport, screenshot_name, column
):
    page.set_viewport_size(viewport)
    page.goto(ARTICLE_PATH)
    image = page.locator(".article__image img")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("fetchpriority", "high")
    page.wait_for_function(
        "document.querySelector('.article__image img').complete"
        " && document.querySelector('.article__image img').naturalWidth > 0"
    )
    chosen = image.evaluate("img => img.currentSrc")
    assert chosen.endswith(".avif"), chosen
    box = image.bounding_box()
    assert abs(box["width"] - column) <= 1
    assert abs(box["height"] - box["width"] * 900 / 1600) <= 1
    expect(page.locator(".article__image figcaption")).to_contain_text("Heuvels in de zomer")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page scrolls sideways ({width}px wide)"
    axe(page)
    screenshot(page, screenshot_name)
