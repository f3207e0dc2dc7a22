"""Accessibility (WCAG 2.2 AA) of the reader's pages and the comment flow, in Chromium.

- axe-core (bundled by axe-playwright-python) finds no violations, of any impact, on the
  pages a reader sees: listing, article, reply form (open, with errors, on its own page),
  follow page, the pages behind subscription mail links (and an invalid link), 404 and
  503. The privacy, newsletter and language-switch flows check their own pages.
- The whole comment flow works with the keyboard alone, with a visible focus.
- Errors are summarised with links to the fields, and each field with an error is
  marked invalid and described by its error text.
- The captcha has an audio alternative (flite), kept in step with "new code".
- A draft survives a reload and an error page, and is gone once the comment is posted;
  it keeps name, e-mail and website only while "Remember me" is ticked.
"""

import re

import pytest
from django.db import OperationalError
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTICLE_PATH,
    DESKTOP,
    LOCALE,
    REFRESH_CAPTCHA,
    captcha_key,
    expect_no_axe_violations,
    posted_comment_pk,
    reply_link,
    tab_to,
    text_of_comment,
    writer_of,
    wrong_answer,
)

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

POST_COMMENT = "Reactie plaatsen"
NOT_POSTED = "Uw reactie is nog niet geplaatst."
DRAFT_KEYS = "Object.keys(localStorage).filter(key => key.startsWith('ondernemen.concept.'))"
DRAFTS = f"() => {DRAFT_KEYS}"
NO_DRAFTS = f"() => {DRAFT_KEYS}.length === 0"
LOCAL_STORAGE = "() => JSON.stringify(Object.assign({}, localStorage))"
REMEMBER_BOX = "#id_remember"


def dutch(text):
    """A source string as the Dutch reader sees it."""
    with translation.override("nl"):
        return translation.gettext(text)


@pytest.fixture
def axe_page(browser, live_server, browser_errors, axe):
    """A page that ignores the site's CSP: axe-core is injected as a script of its own."""
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALE, viewport=DESKTOP, bypass_csp=True
    )
    yield browser_errors.watch(context.new_page())
    context.close()


def forget_status_error(errors, status):
    """Chromium logs a console error for a page served with an error status; that is expected."""
    errors[:] = [error for error in errors if f"status of {status} " not in error]


def expect_captcha_image_loaded(form):
    image = form.locator("img.captcha__image")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)


def focused(page):
    """A short description of the focused element, for messages."""
    return page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")


def expect_focus_visible(page):
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
    )
    assert style["style"] != "none" and style["width"] >= 2, (
        f"no visible focus on {focused(page)}: {style}"
    )


def open_reply_form(page, pk):
    reply_link(page, pk).click()
    form = page.locator(f"#reply-slot-{pk} form.comment-form")
    expect(form).to_be_visible()
    expect_captcha_image_loaded(form)
    return form


# axe-core


@pytest.mark.parametrize(
    "path",
    [
        "/",
        ARTICLE_PATH,
        "/reacties/{article}/reageren/",
        "/reacties/{article}/reageren/?op={laila}",
        "/reacties/{article}/volgen/",
        "/bestaat-niet/",
    ],
)
def test_pages_have_no_axe_violations(axe_page, browser_errors, seed_article, seed_comments, path):
    page = axe_page
    response = page.goto(path.format(article=seed_article.pk, laila=seed_comments["laila"]))
    if path == "/bestaat-niet/":
        assert response.status == 404
        forget_status_error(browser_errors, 404)
    else:
        assert response.status == 200
    if "{article}" in path:
        expect_captcha_image_loaded(page.locator("form.comment-form"))
    expect_no_axe_violations(page)


def test_open_reply_form_has_no_axe_violations(axe_page, seed_comments):
    page = axe_page
    page.goto(ARTICLE_PATH)
    open_reply_form(page, seed_comments["laila"])
    expect_no_axe_violations(page)


def test_form_with_errors_has_no_axe_violations(axe_page, seed_article, captcha_answer):
    page = axe_page
    page.goto(f"/reacties/{seed_article.pk}/reageren/")
    form = page.locator("form.comment-form")
    form.locator("#id_name").fill("Eva de Vries")
    form.locator("#id_email").fill("geen-adres")
    form.locator("#id_comment").fill("Een reactie met een verkeerde code.")
    form.locator("#id_captcha_1").fill(wrong_answer(captcha_answer(captcha_key(form))))
    form.get_by_role("button", name=POST_COMMENT).click()

    expect(page.locator(".form-errors")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Fout: Reageren: "))
    expect_captcha_image_loaded(page.locator("form.comment-form"))
    expect_no_axe_violations(page)


def test_follow_page_with_errors_has_no_axe_violations(axe_page, seed_article):
    page = axe_page
    page.goto(f"/reacties/{seed_article.pk}/volgen/")
    page.locator("form.comment-form button.button").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect_captcha_image_loaded(page.locator("form.comment-form"))
    expect_no_axe_violations(page)


def test_subscription_link_pages_have_no_axe_violations(axe_page, seed_article, site_url):
    """The manage and unsubscribe pages behind a discussion mail's links, before and after
    their buttons (the confirm page is checked in test_subscription_flow)."""
    from django.utils import timezone

    from comments.models import Subscription
    from comments.subscriptions import manage_url, unsubscribe_url

    page = axe_page
    subscription = Subscription.objects.create(
        email="volger@example.nl", article=seed_article, confirmed_at=timezone.now()
    )
    page.goto(manage_url(subscription.email))
    choices = page.get_by_role("group", name=seed_article.title)
    choices.get_by_role("radio", name="alleen antwoorden op mijn reacties").check()
    page.get_by_role("button", name="Mijn keuzes opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Uw keuzes zijn opgeslagen.")
    expect_no_axe_violations(page)

    page.goto(unsubscribe_url(subscription))
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mails stoppen")
    expect_no_axe_violations(page)
    page.get_by_role("button", name="Ja, stop deze e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent afgemeld")
    expect_no_axe_violations(page)


@pytest.mark.parametrize(
    "path",
    [
        "/abonnement/beheren/geen-token/",
        "/nieuwsbrief/afmelden/geen-token/",
        "/privacy/mijn-gegevens/geen-token/",
    ],
)
def test_invalid_link_pages_have_no_axe_violations(axe_page, browser_errors, path):
    page = axe_page
    response = page.goto(path)
    assert response.status == 400
    forget_status_error(browser_errors, 400)
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    expect_no_axe_violations(page)


@pytest.mark.parametrize(
    ("prefix", "heading"), [("", "Er ging iets mis"), ("/en", "Something went wrong")]
)
def test_500_page_has_no_axe_violations(axe_page, browser_errors, monkeypatch, prefix, heading):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the listing")

    # The live server runs in this process: the listing view meets the bug.
    monkeypatch.setattr("articles.views.Paginator", broken)
    response = axe_page.goto(f"{prefix}/?pagina=500")
    assert response.status == 500
    forget_status_error(browser_errors, 500)
    expect(axe_page.get_by_role("heading", level=1)).to_have_text(heading)
    expect_no_axe_violations(axe_page)


def test_503_page_keeps_the_text_and_the_draft(
    axe_page, browser_errors, seed_comments, captcha_answer, monkeypatch
):
    """The database fails while posting: the 503 page shows the text, the draft stays."""
    page = axe_page
    wilco = seed_comments["wilco"]
    page.goto(ARTICLE_PATH)
    form = open_reply_form(page, wilco)
    text = "Deze reactie kwam aan toen de database plat lag."
    form.locator("#id_name").fill("Pieter Bakker")
    form.locator("#id_email").fill("pieter@example.nl")
    form.locator("#id_comment").fill(text)
    # The reader asks to be remembered: the draft keeps the name and e-mail too.
    form.locator(REMEMBER_BOX).check()
    form.locator("#id_captcha_1").fill(captcha_answer(captcha_key(form)))

    def database_down(**kwargs):
        raise OperationalError("the database is down")

    # The live server runs in this process: its view finds the database gone.
    monkeypatch.setattr("comments.views.post_comment", database_down)
    form.get_by_role("button", name=POST_COMMENT).click()

    expect(page.locator("#unsent-text")).to_have_value(text)
    forget_status_error(browser_errors, 503)
    expect_no_axe_violations(page)

    monkeypatch.undo()
    page.goto(ARTICLE_PATH)
    form = open_reply_form(page, wilco)
    expect(form.locator("#id_name")).to_have_value("Pieter Bakker")
    expect(form.locator("#id_email")).to_have_value("pieter@example.nl")
    expect(form.locator("#id_comment")).to_have_value(text)
    expect(form.locator(REMEMBER_BOX)).to_be_checked()
    assert page.evaluate(DRAFTS) == [draft_key(form, wilco)]


def draft_key(form, parent):
    return f"ondernemen.concept.{form.get_attribute('data-draft')}.{parent}"


# The keyboard alone


def test_reply_with_the_keyboard_alone(page, seed_comments, captcha_answer):
    laila = seed_comments["laila"]
    page.goto(ARTICLE_PATH)

    reply = reply_link(page, laila)
    # Read out as "Reageren", with whose comment it answers.
    expect(reply).to_have_accessible_name("Reageren")
    expect(reply).to_have_accessible_description("Laila Simonis")
    tab_to(page, reply)
    expect_focus_visible(page)
    page.keyboard.press("Enter")

    form = page.locator(f"#reply-slot-{laila} form.comment-form")
    expect(form).to_be_visible()
    expect(form.locator("#id_name")).to_be_focused()
    expect_focus_visible(page)
    page.keyboard.type("Eva de Vries")
    # The e-mail field's help links to the privacy page.
    page.keyboard.press("Tab")
    expect(form.get_by_role("link", name="privacypagina")).to_be_focused()
    expect_focus_visible(page)
    page.keyboard.press("Tab")
    expect(form.locator("#id_email")).to_be_focused()
    page.keyboard.type("eva@example.nl")
    page.keyboard.press("Tab")
    expect(form.locator("#id_url")).to_be_focused()
    page.keyboard.press("Tab")
    expect(form.locator("#id_comment")).to_be_focused()
    text = "Met alleen het toetsenbord gereageerd."
    page.keyboard.type(text)
    # Back to the website field, and on again: Shift+Tab retraces the same order.
    page.keyboard.press("Shift+Tab")
    expect(form.locator("#id_url")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(form.locator("#id_followup")).to_be_focused()
    expect_focus_visible(page)
    page.keyboard.press("Tab")
    expect(form.locator("#id_remember")).to_be_focused()
    # The honeypot is skipped: next comes the code.
    page.keyboard.press("Tab")
    answer = form.locator("input[name='captcha_1']")
    expect(answer).to_be_focused()
    expect_captcha_image_loaded(form)
    page.keyboard.type(captcha_answer(captcha_key(form)))
    # Enter in a field posts the form (it does not ask for a new code).
    page.keyboard.press("Enter")

    pk = posted_comment_pk(page)
    new = page.locator(f"li#c{laila} > ol > li#c{pk}")
    expect(new).to_be_visible()
    expect(writer_of(new)).to_have_text("Eva de Vries")
    expect(text_of_comment(new)).to_contain_text(text)
    # comments.js settles the draft when the page after the post has loaded.
    page.wait_for_function(NO_DRAFTS)


def test_errors_are_summarised_linked_and_described(page, seed_article):
    page.goto(f"/reacties/{seed_article.pk}/reageren/")
    form = page.locator("form.comment-form")
    expect_captcha_image_loaded(form)
    tab_to(page, form.locator("#id_name"))
    page.keyboard.press("Enter")

    summary = page.locator(".form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(NOT_POSTED)
    form = page.locator("form.comment-form")
    links = summary.get_by_role("link")
    expect(links).to_have_count(4)
    for index in range(4):
        link = links.nth(index)
        field = form.locator(link.get_attribute("href"))
        expect(field).to_have_attribute("aria-invalid", "true")
        # The field has a name of its own, and its description holds the error.
        expect(field).to_have_accessible_name(re.compile(r"\w"))
        error = link.inner_text().split(": ", 1)[1]
        expect(field).to_have_accessible_description(re.compile(re.escape(error)))
    expect(form.locator("#id_captcha_1")).to_have_accessible_name(
        dutch("Type the code from the image")
    )

    # From the summary, a link takes the keyboard to its field.
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    expect_focus_visible(page)
    page.keyboard.press("Enter")
    expect(form.locator("#id_name")).to_be_focused()


# The audio captcha


def test_audio_alternative_follows_the_code(page, seed_comments, flite):
    page.goto(ARTICLE_PATH)
    form = open_reply_form(page, seed_comments["jorie"])
    audio = form.get_by_role("link", name=dutch("Have the code read aloud"))
    expect(audio).to_have_attribute("href", f"/captcha/audio/{captcha_key(form)}.wav")
    expect(form.locator("img.captcha__image")).to_have_attribute(
        "alt", dutch("Image with the code to type over")
    )
    expect_wav(page, audio.get_attribute("href"))

    old = audio.get_attribute("href")
    form.get_by_role("button", name=REFRESH_CAPTCHA).click()
    expect(audio).not_to_have_attribute("href", old)
    expect(audio).to_have_attribute("href", f"/captcha/audio/{captcha_key(form)}.wav")
    expect_wav(page, audio.get_attribute("href"))

    # With JavaScript the code is spoken in the page (a media request), not downloaded.
    href = audio.get_attribute("href")
    with page.expect_request(lambda r: r.url.endswith(href) and r.resource_type == "media"):
        audio.click()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE_PATH) + "$"))


def expect_wav(page, href):
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "audio/wav"
    body = response.body()
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE", body[:16]
    assert len(body) > 1000


def test_audio_link_without_javascript(nojs_page, seed_article, flite):
    page = nojs_page
    page.goto(f"/reacties/{seed_article.pk}/reageren/")
    audio = page.get_by_role("link", name=dutch("Have the code read aloud"))
    with page.expect_download() as download:
        audio.click()
    assert download.value.suggested_filename.endswith(".wav")


def test_no_audio_link_without_flite(page, seed_article, monkeypatch):
    monkeypatch.setattr("captcha.conf.settings.CAPTCHA_FLITE_PATH", None)
    page.goto(f"/reacties/{seed_article.pk}/reageren/")
    form = page.locator("form.comment-form")
    expect_captcha_image_loaded(form)
    expect(form.locator("a.captcha__audio")).to_have_count(0)


# Drafts


def test_draft_survives_a_reload_and_goes_once_posted(page, seed_comments, captcha_answer):
    wilco = seed_comments["wilco"]
    page.goto(ARTICLE_PATH)
    form = open_reply_form(page, wilco)
    text = "Een lange reactie die ik niet kwijt wil."
    form.locator("#id_name").fill("Noor Jansen")
    form.locator("#id_email").fill("noor@example.nl")
    form.locator("#id_url").fill("https://noor.example.nl/")
    form.locator("#id_comment").fill(text)
    form.locator("#id_followup").check()
    # The reader asks to be remembered: the draft keeps name, e-mail and website too.
    form.locator(REMEMBER_BOX).check()

    # Choosing another comment to reply to takes the text along, and its draft.
    form = open_reply_form(page, seed_comments["jorie"])
    expect(form.locator("#id_comment")).to_have_value(text)
    expect(page.locator(f"#reply-slot-{wilco} form")).to_have_count(0)
    assert page.evaluate(DRAFTS) == [draft_key(form, seed_comments["jorie"])]
    form = open_reply_form(page, wilco)
    assert page.evaluate(DRAFTS) == [draft_key(form, wilco)]

    page.reload()
    form = open_reply_form(page, wilco)
    expect(form.locator("#id_name")).to_have_value("Noor Jansen")
    expect(form.locator("#id_email")).to_have_value("noor@example.nl")
    expect(form.locator("#id_url")).to_have_value("https://noor.example.nl/")
    expect(form.locator("#id_comment")).to_have_value(text)
    expect(form.locator("#id_followup")).to_be_checked()
    expect(form.locator(REMEMBER_BOX)).to_be_checked()
    assert page.evaluate(DRAFTS) == [draft_key(form, wilco)]

    # A wrong code: the error page shows the form again, and the draft stays.
    form.locator("#id_captcha_1").fill(wrong_answer(captcha_answer(captcha_key(form))))
    form.get_by_role("button", name=POST_COMMENT).click()
    expect(page.locator(".form-errors")).to_be_focused()
    form = page.locator("form.comment-form")
    expect(form.locator("#id_comment")).to_have_value(text)
    assert page.evaluate(DRAFTS) == [draft_key(form, wilco)]

    form.locator("#id_captcha_1").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=POST_COMMENT).click()
    posted_comment_pk(page)
    # comments.js settles the draft when the page after the post has loaded.
    page.wait_for_function(NO_DRAFTS)
    form = open_reply_form(page, wilco)
    expect(form.locator("#id_comment")).to_have_value("")
    # The name now comes from the remember-me cookie set with the comment, not a draft.
    expect(form.locator("#id_name")).to_have_value("Noor Jansen")
    assert page.evaluate(DRAFTS) == []


def test_draft_keeps_no_name_or_e_mail_without_remember_me(page, seed_comments):
    """On a shared computer the next reader finds the text, not the previous one's details."""
    wilco = seed_comments["wilco"]
    page.goto(ARTICLE_PATH)
    form = open_reply_form(page, wilco)
    text = "Een reactie van de bibliotheekcomputer."
    form.locator("#id_name").fill("Noor Jansen")
    form.locator("#id_email").fill("noor@example.nl")
    form.locator("#id_url").fill("https://noor.example.nl/")
    form.locator("#id_comment").fill(text)
    form.locator("#id_followup").check()
    expect(form.locator(REMEMBER_BOX)).not_to_be_checked()
    assert page.evaluate(DRAFTS) == [draft_key(form, wilco)]
    expect_nothing_personal_stored(page)

    # Ticked, the box keeps them in the draft; unticked again, they are gone from it.
    form.locator(REMEMBER_BOX).check()
    assert "noor@example.nl" in page.evaluate(LOCAL_STORAGE)
    form.locator(REMEMBER_BOX).uncheck()
    expect_nothing_personal_stored(page)

    page.reload()
    form = open_reply_form(page, wilco)
    expect(form.locator("#id_comment")).to_have_value(text)
    expect(form.locator("#id_followup")).to_be_checked()
    for field in ("#id_name", "#id_email", "#id_url"):
        expect(form.locator(field)).to_have_value("")
    expect(form.locator(REMEMBER_BOX)).not_to_be_checked()
    expect_nothing_personal_stored(page)


def test_drafts_saved_before_remember_me_counted_lose_name_and_e_mail(
    page, seed_article, seed_comments
):
    """A draft kept by an earlier version of the script, with a name and an e-mail address."""
    wilco = seed_comments["wilco"]
    page.goto(ARTICLE_PATH)
    key = f"ondernemen.concept.{seed_article.pk}.{wilco}"
    old_draft = {
        "name": "Noor Jansen",
        "email": "noor@example.nl",
        "url": "",
        "comment": "Een oud concept.",
        "followup": False,
    }
    page.evaluate(
        "([key, fields]) => localStorage.setItem(key,"
        " JSON.stringify({saved: Date.now(), fields: fields}))",
        [key, old_draft],
    )
    assert "noor@example.nl" in page.evaluate(LOCAL_STORAGE)

    page.reload()
    expect_nothing_personal_stored(page)
    form = open_reply_form(page, wilco)
    expect(form.locator("#id_comment")).to_have_value("Een oud concept.")
    expect(form.locator("#id_name")).to_have_value("")
    expect(form.locator("#id_email")).to_have_value("")


def expect_nothing_personal_stored(page):
    stored = page.evaluate(LOCAL_STORAGE)
    assert "@" not in stored, stored
    assert "Noor Jansen" not in stored, stored
    assert "noor.example.nl" not in stored, stored
