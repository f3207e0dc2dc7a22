"""Readers report a comment ("Melden") in Chromium, from the article page to the thanks.

- The keyboard alone: Tab to a comment's "Melden" link and Enter; on the report page an
  attempt without a reason shows the error summary, whose link takes the focus to the
  reasons; the arrow keys choose one, the code is typed and Space on the button sends the
  report. The Report is stored as typed and its confirmation arrives over SMTP (the
  worker runs in this process). axe-core on the article, the form, the error state and
  the thanks.
- Illegal content without what a notice needs: the Dutch errors in the summary at the
  top (role alert), in the order of the fields, each link focusing its field; the text
  typed so far is kept; completed, the notice is stored.
- Without JavaScript the same flow works, a new code included (no axe there: axe needs
  JavaScript in the page, as in the project's other no-JS tests).
- At 390 pixels nothing on the report page overflows sideways, a long link in the
  reported comment and the error summary included.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTICLE_PATH,
    REFRESH_CAPTCHA,
    actions_of,
    captcha_key,
    comment_item,
    sideways_overflow,
    tab_to,
)
from tests.mail_sink import text_of

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
REPORTER = "melder@example.nl"
LAILA_TEXT = "Leuk artikel! Helemaal mee eens."

HEADING = "Een reactie melden"
REASONS = "Wat is er mis met deze reactie?"
NOT_SENT = "Uw melding is nog niet verstuurd."
SEND = "Melding versturen"
THANKS = "Bedankt voor uw melding"
CONFIRMATION_SENT = "We hebben u een bevestiging gestuurd"
CONFIRMATION_SUBJECT = "We hebben uw melding ontvangen"
# Labels, as get_by_label matches them (Django adds the colon after the label).
EXPLANATION = "Toelichting (niet verplicht; nodig bij onwettige inhoud)"
LAW = "Welke wet of regel overtreedt ze?"
GOOD_FAITH = "Ik verklaar te goeder trouw"
NAME = "Uw naam (niet verplicht; nodig bij onwettige inhoud)"
EMAIL = "Uw e-mailadres, om de uitkomst te horen"
# The errors.
NO_REASON = "Kies wat er mis is met de reactie."
NO_LAW = "Zeg welke wet of regel de reactie overtreedt."
NO_GOOD_FAITH = "Bevestig dat u te goeder trouw meldt."
NO_EMAIL = "Vul uw e-mailadres in: u hoort dan wat we besloten."


def report_path(pk):
    return f"/reacties/melden/{pk}/"


def report_link(page, pk):
    """The "Melden" link under comment pk (described by the name of its writer)."""
    return actions_of(comment_item(page, pk)).get_by_role("link", name="Melden", exact=True)


def report_form(page):
    form = page.locator("form.comment-form")
    expect(form).to_be_visible()
    return form


def reasons(form):
    return form.get_by_role("group", name=REASONS)


def code_field(form):
    return form.locator("input[name='captcha_1']")


def expect_thanks(page, *, with_address):
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    expect(page).to_have_title(re.compile(f"^{THANKS} – "))
    main = page.locator("main")
    expect(main).to_contain_text("De moderatoren bekijken de reactie.")
    if with_address:
        expect(main).to_contain_text(CONFIRMATION_SENT)
    else:
        expect(main).not_to_contain_text(CONFIRMATION_SENT)
    back = page.get_by_role("link", name="Terug naar het artikel en de reacties")
    expect(back).to_have_attribute("href", f"{ARTICLE_PATH}#reacties")


def expect_no_sideways_overflow(page):
    overflow = sideways_overflow(page)
    assert overflow == {"scroll": 0, "elements": []}, (
        f"{page.url} is wider than {PHONE['width']}px: {overflow}"
    )


def test_report_a_comment_with_the_keyboard_alone(
    page, seed_comments, captcha_answer, deliver, axe
):
    from moderation.models import Report

    laila = seed_comments["laila"]
    explanation = "Dit is een kopie van een tekst van een andere site."

    # 1. On the article page, Tab to the "Melden" link under Laila's comment.
    page.goto(ARTICLE_PATH)
    axe(page)
    link = report_link(page, laila)
    # Read out as "Melden", with whose comment it reports.
    expect(link).to_have_text("Melden")
    expect(link).to_have_accessible_description("Laila Simonis")
    expect(link).to_have_attribute("href", report_path(laila))
    tab_to(page, link)
    page.keyboard.press("Enter")

    # 2. The report page shows what is reported.
    expect(page).to_have_url(re.compile(re.escape(report_path(laila)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    quote = page.locator("blockquote.report__comment")
    expect(quote).to_contain_text("Laila Simonis")
    expect(quote).to_contain_text(LAILA_TEXT)
    expect(page.get_by_role("link", name=re.compile("Drie tips voor"))).to_have_attribute(
        "href", f"{ARTICLE_PATH}#c{laila}"
    )
    form = report_form(page)
    axe(page)

    # 3. A first attempt without a reason: Tab passes the reasons without choosing one;
    # Enter in the code field sends the form (not "a new code").
    choices = reasons(form).get_by_role("radio")
    expect(choices).to_have_count(5)
    tab_to(page, choices.first)
    for choice in choices.all():
        expect(choice).not_to_be_checked()
    tab_to(page, form.get_by_label(EXPLANATION))
    page.keyboard.type(explanation)
    tab_to(page, form.get_by_label(EMAIL))
    page.keyboard.type(REPORTER)
    tab_to(page, code_field(form))
    page.keyboard.type(captcha_answer(captcha_key(form)))
    page.keyboard.press("Enter")

    # 4. The error state: the summary has the focus and links to the reasons.
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(NOT_SENT)
    expect(summary.get_by_role("link")).to_have_text([f"{REASONS}: {NO_REASON}"])
    expect(page).to_have_title(re.compile(f"^Fout: {HEADING} – "))
    form = report_form(page)
    expect(reasons(form)).to_have_accessible_description(NO_REASON)
    expect(form.get_by_label(EXPLANATION)).to_have_value(explanation)
    expect(form.get_by_label(EMAIL)).to_have_value(REPORTER)
    expect(code_field(form)).to_have_value("")
    assert not Report.objects.exists()
    axe(page)

    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    choices = reasons(form).get_by_role("radio")
    expect(choices.first).to_be_focused()

    # 5. The arrow keys choose a reason; the code and Space on the button send it.
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    misleading = reasons(form).get_by_role("radio", name="misleidend", exact=True)
    expect(misleading).to_be_focused()
    expect(misleading).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(
        reasons(form).get_by_role("radio", name="persoonsgegevens van een ander")
    ).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(misleading).to_be_checked()
    tab_to(page, code_field(form))
    page.keyboard.type(captcha_answer(captcha_key(form)))
    tab_to(page, form.get_by_role("button", name=SEND))
    page.keyboard.press("Space")

    # 6. Thanks; the report is stored as typed, and its confirmation arrives.
    expect_thanks(page, with_address=True)
    axe(page)
    report = Report.objects.get()
    assert report.comment_id == laila
    assert (report.reason, report.explanation, report.email) == (
        "misleading",
        explanation,
        REPORTER,
    )
    assert (report.law, report.name, report.language) == ("", "", "nl")
    assert report.decided_at is None
    assert report.reporter and "127.0.0.1" not in report.reporter

    [mail] = deliver(REPORTER, 1)
    assert mail["Subject"] == CONFIRMATION_SUBJECT
    body = " ".join(text_of(mail).split())
    assert "Uw reden: misleidend" in body
    assert f"Laila Simonis: {LAILA_TEXT}" in body


def test_illegal_content_needs_what_a_notice_needs(page, seed_comments, captcha_answer, axe):
    from moderation.models import Report

    jorie = seed_comments["jorie"]
    explanation = "Deze reactie beschuldigt een bestaande ondernemer van fraude."
    page.goto(report_path(jorie))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    axe(page)

    # 1. Illegal content, with an explanation and a name but no law, address or declaration.
    form = report_form(page)
    reasons(form).get_by_role("radio", name="onwettige inhoud").check()
    form.get_by_label(EXPLANATION).fill(explanation)
    form.get_by_label(NAME).fill("Mila Melder")
    code_field(form).fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=SEND).click()

    # 2. The summary at the top of the form, in the order of the fields on the page.
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(NOT_SENT)
    form = report_form(page)
    fields = {
        LAW: form.get_by_label(LAW),
        GOOD_FAITH: form.get_by_label(GOOD_FAITH),
        EMAIL: form.get_by_label(EMAIL),
    }
    errors = {LAW: NO_LAW, GOOD_FAITH: NO_GOOD_FAITH, EMAIL: NO_EMAIL}
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    for link, (label, message) in zip(links.all(), errors.items(), strict=True):
        expect(link).to_contain_text(label)
        expect(link).to_contain_text(message)
    summary_box = summary.bounding_box()
    assert summary_box["y"] < reasons(form).bounding_box()["y"], "the summary is not on top"
    expect(page).to_have_title(re.compile(f"^Fout: {HEADING} – "))

    # Each link moves the focus to its field, which tells what is wrong with it.
    for link, (label, field) in zip(links.all(), fields.items(), strict=True):
        link.click()
        expect(field).to_be_focused()
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(errors[label])))
    # The law's help text, too, describes its field.
    expect(fields[LAW]).to_have_accessible_description(re.compile("smaad \\(art\\. 261 Sr\\)"))

    # What was typed and chosen is still there; nothing was stored.
    expect(reasons(form).get_by_role("radio", name="onwettige inhoud")).to_be_checked()
    expect(form.get_by_label(EXPLANATION)).to_have_value(explanation)
    expect(form.get_by_label(NAME)).to_have_value("Mila Melder")
    expect(code_field(form)).to_have_value("")
    assert not Report.objects.exists()
    axe(page)

    # 3. Completed, the notice is taken.
    fields[LAW].fill("smaad (art. 261 Sr)")
    fields[GOOD_FAITH].check()
    fields[EMAIL].fill(REPORTER)
    code_field(form).fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=SEND).click()

    expect_thanks(page, with_address=True)
    axe(page)
    report = Report.objects.get()
    assert report.comment_id == jorie
    assert (report.reason, report.law, report.explanation) == (
        "illegal",
        "smaad (art. 261 Sr)",
        explanation,
    )
    assert (report.name, report.email) == ("Mila Melder", REPORTER)


def test_report_without_javascript(nojs_page, seed_comments, captcha_answer, deliver):
    from moderation.models import Report

    page = nojs_page
    wilco = seed_comments["wilco"]
    explanation = "Alleen een link naar een zoekmachine, geen bijdrage."

    page.goto(ARTICLE_PATH)
    report_link(page, wilco).click()
    expect(page).to_have_url(re.compile(re.escape(report_path(wilco)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    expect(page.locator("blockquote.report__comment")).to_contain_text("Wilco Verdoold")

    # A new code is a post-back that keeps everything and shows no error.
    form = report_form(page)
    reasons(form).get_by_role("radio", name="spam of reclame").check()
    form.get_by_label(EXPLANATION).fill(explanation)
    form.get_by_label(EMAIL).fill(REPORTER)
    old_key = captcha_key(form)
    form.get_by_role("button", name=REFRESH_CAPTCHA).click()

    expect(page).to_have_url(re.compile(re.escape(report_path(wilco)) + "$"))
    form = report_form(page)
    expect(form.locator("input[name='captcha_0']")).not_to_have_value(old_key)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(reasons(form).get_by_role("radio", name="spam of reclame")).to_be_checked()
    expect(form.get_by_label(EXPLANATION)).to_have_value(explanation)
    expect(form.get_by_label(EMAIL)).to_have_value(REPORTER)
    assert not Report.objects.exists()

    # A wrong code: the summary (not focused without JavaScript) and the text kept.
    code_field(form).fill("fout")
    form.get_by_role("button", name=SEND).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(NOT_SENT)
    expect(summary.get_by_role("link")).to_have_text([re.compile("^Code: De code klopt niet.")])
    form = report_form(page)
    expect(form.get_by_label(EXPLANATION)).to_have_value(explanation)
    assert not Report.objects.exists()

    code_field(form).fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=SEND).click()

    expect_thanks(page, with_address=True)
    report = Report.objects.get()
    assert (report.comment_id, report.reason, report.explanation, report.email) == (
        wilco,
        "spam",
        explanation,
        REPORTER,
    )
    [mail] = deliver(REPORTER, 1)
    assert mail["Subject"] == CONFIRMATION_SUBJECT
    assert "Uw reden: spam of reclame" in text_of(mail)


@pytest.fixture
def long_link_comment(seed_article):
    """A public comment with a long link in its text, as readers post them."""
    from django.contrib.contenttypes.models import ContentType

    from comments.models import Comment

    comment = Comment(
        content_type=ContentType.objects.get_for_model(seed_article),
        object_pk=str(seed_article.pk),
        site_id=1,
        user_name="Lange Link",
        user_email="link@example.nl",
        comment=(
            "Kijk hier: https://www.example.nl/kennisbank/social-media/richtlijnen-voor-"
            "medewerkers-op-de-werkvloer-en-daarbuiten/voorbeeldreglement-2012.html"
        ),
        is_public=True,
    )
    comment.save()
    return comment.pk


def test_report_page_fits_a_phone(page, long_link_comment, captcha_answer, axe):
    page.set_viewport_size(PHONE)
    page.goto(report_path(long_link_comment))
    expect(page.locator("blockquote.report__comment")).to_contain_text("voorbeeldreglement")
    expect_no_sideways_overflow(page)
    axe(page)

    # The error state, with its long summary, fits as well.
    form = report_form(page)
    reasons(form).get_by_role("radio", name="onwettige inhoud").check()
    code_field(form).fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=SEND).click()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(5)
    expect_no_sideways_overflow(page)
    axe(page)
