"""A writer changes their own comment in Chromium just after posting it.

- With JavaScript and the keyboard alone: post a comment, Tab to "Bewerken of verwijderen"
  in the thank-you and Enter, change the text, Tab to "Opslaan" and Enter: the comment
  shows the new text, marked "bewerkt". axe-core on the article and the edit page.
- Without JavaScript the edit is a plain form page, and deleting asks first on a page
  of its own.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTICLE_PATH,
    comment_item,
    post_comment,
    posted_comment_pk,
    tab_to,
    text_of_comment,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEXT = "Wij gebruiken sinds kort ook social mediarichtlijnen."
NEW_TEXT = "Wij gebruiken sinds kort ook social mediarichtlijnen, en ze werken."
EDIT_LINK = re.compile(r"^Bewerken of verwijderen \(nog 10 minuten\)$")
HEADING = "Uw reactie bewerken"
SAVE = "Opslaan"
UPDATED = "Uw reactie is bijgewerkt."
EDITED = "bewerkt"


def edit_path(pk):
    return f"/reacties/bewerken/{pk}/"


def expect_edited(page, pk):
    expect(page.locator(".comment__notice")).to_contain_text(UPDATED)
    expect(page).to_have_url(re.compile(re.escape(f"{ARTICLE_PATH}#c{pk}") + "$"))
    comment = comment_item(page, pk)
    expect(text_of_comment(comment)).to_have_text(NEW_TEXT)
    expect(comment.locator(".comment__edited")).to_have_text(EDITED)


def test_edit_a_comment_with_the_keyboard(page, seed_comments, captcha_answer, axe, screenshot):
    page.goto(ARTICLE_PATH)
    page.get_by_role("link", name="Schrijf een reactie").click()
    post_comment(
        page.locator("#reply-slot- form.comment-form"),
        captcha_answer,
        name="Sanne Smit",
        email="sanne@example.nl",
        text=TEXT,
    )
    pk = posted_comment_pk(page)
    axe(page)

    link = page.locator(".comment__notice").get_by_role("link", name=EDIT_LINK)
    expect(link).to_have_attribute("href", edit_path(pk))
    tab_to(page, link)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(edit_path(pk)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    text = page.get_by_label("Reactie")
    expect(text).to_have_value(TEXT)
    axe(page)
    screenshot(page, "comment-edit.png")
    tab_to(page, text)
    page.keyboard.press("End")
    page.keyboard.press("Backspace")  # the full stop
    page.keyboard.type(", en ze werken.")
    tab_to(page, page.get_by_role("button", name=SAVE))
    page.keyboard.press("Enter")

    expect_edited(page, pk)
    axe(page)


def test_edit_and_delete_without_javascript(nojs_page, seed_article, captcha_answer):
    page = nojs_page
    page.goto(f"/reacties/{seed_article.pk}/reageren/")
    post_comment(
        page.locator("form.comment-form"),
        captcha_answer,
        name="Noor Jansen",
        email="noor@example.nl",
        text=TEXT,
    )
    pk = posted_comment_pk(page)

    page.locator(".comment__notice").get_by_role("link", name=EDIT_LINK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    page.get_by_label("Reactie").fill(NEW_TEXT)
    page.get_by_role("button", name=SAVE).click()
    expect_edited(page, pk)

    # Deleting: a link to a page that asks first, whose button deletes.
    page.goto(edit_path(pk))
    page.get_by_role("link", name="Verwijderen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw reactie verwijderen?")
    expect(page.locator("blockquote")).to_contain_text(NEW_TEXT)
    page.get_by_role("button", name="Ja, verwijder mijn reactie").click()

    expect(page.locator(".messages")).to_contain_text("Uw reactie is verwijderd.")
    expect(page).to_have_url(re.compile(re.escape(f"{ARTICLE_PATH}#reacties") + "$"))
    expect(page.locator(f"li#c{pk}")).to_have_count(0)
    expect(page.locator("#reacties")).not_to_contain_text(NEW_TEXT)
