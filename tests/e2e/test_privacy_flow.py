"""A reader who has commented downloads and erases their data from the privacy page.

The site runs on the live server, the mail with the link goes over real SMTP to a local
aiosmtpd sink (`smtp_sink`), and the worker runs in this process (`deliver`). Every page
on the way is checked with axe-core.
"""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTICLE_PATH,
    COMMENT_ITEMS,
    captcha_key,
    comment_item,
    link_in,
    post_comment,
    posted_comment_pk,
    text_of_comment,
    writer_of,
)
from tests.mail_sink import text_of

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTICLE_TITLE = "Drie tips voor social mediarichtlijnen"
READER = "dirk@example.nl"
NAME = "Dirk Dekker"
TEXT = "Wij hebben onze richtlijnen na het lezen van dit stuk meteen aangepast."
ANONYMOUS = "Anonieme lezer"
ANONYMISE = 'Bewaar de tekst van mijn reacties, onder de naam "Anonieme lezer"'
REMOVE = "Verwijder mijn reacties en hun tekst"


def comment_and_ask_for_data(page, captcha_answer, deliver, axe):
    """Comment (following the discussion), then ask for the data by mail.

    Returns the comment's primary key and the link from the mail.
    """
    page.goto(ARTICLE_PATH)
    page.get_by_role("link", name="Schrijf een reactie").click()
    post_comment(
        page.locator("#reply-slot- form.comment-form"),
        captcha_answer,
        name=NAME,
        email=READER,
        text=TEXT,
        follow=True,
    )
    pk = posted_comment_pk(page)
    # Reloaded without the message, the page is the one every reader gets (and caches).
    page.reload()
    expect(page.locator(".messages")).to_have_count(0)
    expect(writer_of(comment_item(page, pk))).to_have_text(NAME)

    page.locator(".site-footer").get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy")
    axe(page)
    page.get_by_role("link", name="Vraag uw gegevens op").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw gegevens")
    form = page.locator("form.comment-form")
    axe(page)
    form.get_by_label("E-mailadres").fill(READER)
    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name="Stuur mij de link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw e-mail")
    axe(page)

    # Two mails: the discussion's confirmation, and the one with the link to the data.
    mails = deliver(READER, 2)
    [data_mail] = [mail for mail in mails if "/privacy/mijn-gegevens/" in text_of(mail)]
    return pk, link_in(data_mail, "/privacy/mijn-gegevens/")


def open_data_page(page, link, axe):
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw gegevens")
    summary = page.locator(".privacy-summary")
    expect(page.locator("main")).to_contain_text(f"Opgeslagen voor {READER}:")
    expect(summary).to_contain_text("1 reactie")
    expect(summary).to_contain_text("1 abonnement op een discussie")
    expect(summary).to_contain_text("Nieuwsbrief: niet aangemeld")
    axe(page)


def download(page):
    with page.expect_download() as info:
        page.get_by_role("button", name="Download mijn gegevens").click()
    assert info.value.suggested_filename.startswith("mijn-gegevens-")
    assert info.value.suggested_filename.endswith(".json")
    with open(info.value.path(), encoding="utf-8") as file:
        return json.load(file)


def erase(page, choice, axe):
    page.get_by_role("radio", name=choice, exact=True).check()
    page.get_by_role("button", name="Wis mijn gegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw gegevens zijn gewist")
    expect(page.locator("main")).to_contain_text(READER)
    expect(page.locator("main")).to_contain_text("1 abonnement verwijderd")
    axe(page)


def test_download_then_anonymise(page, site_url, captcha_answer, deliver, axe):
    pk, link = comment_and_ask_for_data(page, captcha_answer, deliver, axe)
    open_data_page(page, link, axe)

    data = download(page)
    assert data["email"] == READER
    [comment] = data["comments"]
    assert comment["name"] == NAME
    assert comment["text"] == TEXT
    assert comment["article"] == {"title": ARTICLE_TITLE, "url": site_url + ARTICLE_PATH}
    assert comment["ip_address"] == "127.0.0.1"
    [subscription] = data["subscriptions"]
    assert subscription["kind"] == "discussion"
    assert subscription["article"]["title"] == ARTICLE_TITLE
    assert {mail["kind"] for mail in data["mails"]} == {"confirmation", "data_export"}

    # Without a choice the browser asks for one (the radio buttons are required).
    page.get_by_role("button", name="Wis mijn gegevens").click()
    choice = page.get_by_role("radio", name=ANONYMISE, exact=True)
    assert choice.evaluate("radio => radio.validity.valueMissing")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw gegevens")

    # A browser that does not check (or a forged form) gets the error from the server: in a
    # summary whose link leads to the choices, and as the description of the radio group.
    page.locator("input[name='mode']").evaluate_all(
        "radios => radios.forEach(radio => radio.removeAttribute('required'))"
    )
    page.get_by_role("button", name="Wis mijn gegevens").click()
    error = "Kies wat er met uw reacties moet gebeuren."
    summary = page.locator(".form-errors")
    expect(summary).to_contain_text(error)
    group = page.get_by_role("group", name="Wat moet er met uw reacties gebeuren?")
    expect(group).to_have_accessible_description(error)
    axe(page)
    summary.get_by_role("link", name=error).click()
    expect(page.get_by_role("radio", name=ANONYMISE, exact=True)).to_be_focused()

    erase(page, ANONYMISE, axe)
    expect(page.locator("main")).to_contain_text("1 reactie geanonimiseerd")

    page.goto(ARTICLE_PATH)
    comment = page.locator(f"li#c{pk}")
    expect(writer_of(comment)).to_have_text(ANONYMOUS)
    expect(text_of_comment(comment)).to_contain_text(TEXT)
    expect(page.locator("#reacties")).not_to_contain_text(NAME)

    # The link still works, and shows that nothing is left for the address.
    page.goto(link)
    expect(page.locator(".privacy-summary")).to_contain_text("0 reacties")
    assert download(page)["comments"] == []


def test_download_then_remove(page, site_url, captcha_answer, deliver, axe):
    pk, link = comment_and_ask_for_data(page, captcha_answer, deliver, axe)
    open_data_page(page, link, axe)

    data = download(page)
    assert data["email"] == READER
    assert [comment["text"] for comment in data["comments"]] == [TEXT]

    erase(page, REMOVE, axe)
    expect(page.locator("main")).to_contain_text("1 reactie verwijderd")
    expect(page.locator("main")).not_to_contain_text("geanonimiseerd")

    page.goto(ARTICLE_PATH)
    expect(page.locator(f"li#c{pk}")).to_have_count(0)
    discussion = page.locator("#reacties")
    expect(discussion.locator(COMMENT_ITEMS)).to_have_count(5)  # the seed comments stay
    expect(discussion).not_to_contain_text(NAME)
    expect(discussion).not_to_contain_text(TEXT)
