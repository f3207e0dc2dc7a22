"""The follow, newsletter and data-request forms behave like the comment form's captcha.

With JavaScript "Klik hier om de code te wijzigen" shows a new code in place, "Laat de
code voorlezen" speaks it in the page, and after a failed post the error summary has the
focus and the page title starts with "Fout: ". Without JavaScript a new code posts the
form back, with the address kept and no error.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REFRESH_CAPTCHA, WRONG_CODE, captcha_key, wrong_answer

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

READER = "lezer@example.nl"
READ_ALOUD = "Laat de code voorlezen"
ENGLISH_LETTERS = "(de letters worden in het Engels uitgesproken)"
# The page's address (the follow page's with the article's pk), its title and its button.
FORMS = {
    "follow": ("/reacties/{article}/volgen/", "Volg deze discussie", "Volg deze discussie"),
    "newsletter": ("/nieuwsbrief/", "Nieuwsbrief", "Aanmelden voor de nieuwsbrief"),
    "data-request": ("/privacy/mijn-gegevens/", "Uw gegevens", "Stuur mij de link"),
}


@pytest.fixture(params=FORMS)
def email_form(request, seed_article):
    path, title, button = FORMS[request.param]
    return path.format(article=seed_article.pk), title, button


def open_form(page, path):
    page.goto(path)
    form = page.locator("form.comment-form")
    image = form.locator("img.captcha__image")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    return form


def test_new_code_in_place_and_focused_errors_with_javascript(page, email_form, captcha_answer):
    path, title, button = email_form
    form = open_form(page, path)
    expect(page).to_have_title(re.compile(rf"^{title} – "))
    form.get_by_label("E-mailadres").fill(READER)
    page.evaluate("() => { window.samePage = true; }")

    image = form.locator("img.captcha__image")
    old_src = image.get_attribute("src")
    old_key = captcha_key(form)
    form.get_by_role("button", name=REFRESH_CAPTCHA).click()
    expect(image).not_to_have_attribute("src", old_src)
    expect(form.locator("input[name='captcha_0']")).not_to_have_value(old_key)
    expect(form.locator("input[name='captcha_1']")).to_be_focused()
    assert page.evaluate("() => window.samePage") is True, "the page was posted and reloaded"
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(form.get_by_label("E-mailadres")).to_have_value(READER)
    expect(page.locator(".form-errors")).to_have_count(0)

    form.locator("input[name='captcha_1']").fill(wrong_answer(captcha_answer(captcha_key(form))))
    form.get_by_role("button", name=button).click()
    summary = page.locator(".form-errors")
    expect(summary).to_contain_text(WRONG_CODE)
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(rf"^Fout: {title} – "))
    expect(form.get_by_label("E-mailadres")).to_have_value(READER)


def test_new_code_without_javascript_keeps_the_address(nojs_page, email_form, captcha_answer):
    from comments.models import Subscription
    from mail.models import OutgoingMail

    page = nojs_page
    path, title, button = email_form
    form = open_form(page, path)
    form.get_by_label("E-mailadres").fill(READER)
    old_key = captcha_key(form)
    old_src = form.locator("img.captcha__image").get_attribute("src")
    form.get_by_role("button", name=REFRESH_CAPTCHA).click()

    form = page.locator("form.comment-form")
    expect(form.locator("input[name='captcha_0']")).not_to_have_value(old_key)
    expect(form.locator("img.captcha__image")).not_to_have_attribute("src", old_src)
    expect(form.get_by_label("E-mailadres")).to_have_value(READER)
    expect(page.locator(".form-errors")).to_have_count(0)
    expect(form.get_by_label("E-mailadres")).not_to_have_attribute("aria-invalid", "true")
    expect(page).to_have_title(re.compile(rf"^{title} – "))
    assert not Subscription.objects.exists()
    assert not OutgoingMail.objects.exists()

    # The new code is the one that counts.
    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw e-mail")


def test_the_code_is_spoken_in_the_page_in_english(page, email_form, flite):
    path, _title, _button = email_form
    form = open_form(page, path)
    audio = form.get_by_role("link", name=READ_ALOUD, exact=True)
    expect(audio).to_have_accessible_description(ENGLISH_LETTERS)
    expect(form.locator(".captcha__audio-note")).to_be_visible()

    old_key = captcha_key(form)
    form.get_by_role("button", name=REFRESH_CAPTCHA).click()
    expect(form.locator("input[name='captcha_0']")).not_to_have_value(old_key)
    href = f"/captcha/audio/{captcha_key(form)}.wav"
    expect(audio).to_have_attribute("href", href)
    with page.expect_request(lambda r: r.url.endswith(href) and r.resource_type == "media"):
        audio.click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
