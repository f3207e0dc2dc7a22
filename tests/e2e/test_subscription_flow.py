"""A reader follows the seed article's discussion by e-mail, from ticking the box to leaving.

The site runs on the live server, the mail goes over real SMTP to a local aiosmtpd sink
(`smtp_sink`), and the worker runs in this process (`run_worker`) whenever the test wants
the queued mail sent. Every link is taken from a received mail and opened in Chromium.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTICLE_PATH,
    DESKTOP,
    link_in,
    post_comment,
    posted_comment_pk,
    reply_link,
    text_of_comment,
    writer_of,
)
from tests.mail_sink import text_of

PHONE = {"width": 390, "height": 844}

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTICLE_TITLE = "Drie tips voor social mediarichtlijnen"
SUBSCRIBER = "volger@example.nl"
SCOPES = [
    "alle nieuwe reacties op het artikel",
    "alleen antwoorden op mijn reacties",
    "niets",
]


def test_follow_confirm_notify_and_unsubscribe(
    page,
    new_visitor,
    site_url,
    seed_comments,
    captcha_answer,
    smtp_sink,
    deliver,
    screenshot,
    axe,
):
    from comments.models import Comment, Subscription
    from mail.models import OutgoingMail

    # 1. A reader replies to Laila Simonis with the box ticked.
    laila = seed_comments["laila"]
    page.goto(ARTICLE_PATH)
    reply_link(page, laila).click()
    form = page.locator(f"#reply-slot-{laila} form.comment-form")
    expect(form.locator(".comment-form__context")).to_have_text("Uw reactie op Laila Simonis")
    reply_text = "Mooie tips, Laila. Ik volg de discussie graag."
    post_comment(
        form, captcha_answer, name="Vera Volger", email=SUBSCRIBER, text=reply_text, follow=True
    )
    reply_pk = posted_comment_pk(page)
    reply = page.locator(f"li#c{laila} > ol > li#c{reply_pk}")
    expect(writer_of(reply)).to_have_text("Vera Volger")
    expect(text_of_comment(reply)).to_contain_text(reply_text)
    subscription = Subscription.objects.get(email=SUBSCRIBER)
    assert not subscription.is_confirmed

    # 2. The confirmation mail arrives; its link opens a page that changes nothing until
    # its button is pressed.
    [confirmation] = deliver(SUBSCRIBER, 1)
    assert confirmation["Subject"] == (
        f'Bevestig dat u de reacties op "{ARTICLE_TITLE}" wilt volgen'
    )
    page.goto(link_in(confirmation, "/abonnement/bevestigen/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig uw aanmelding")
    expect(page.locator("main")).to_contain_text(SUBSCRIBER)
    axe(page)
    screenshot(page, "subscription-confirm.png")
    page.set_viewport_size(PHONE)
    screenshot(page, "subscription-confirm-phone.png")
    page.set_viewport_size(DESKTOP)
    subscription.refresh_from_db()
    assert not subscription.is_confirmed, "opening the link alone must not confirm"
    page.get_by_role("button", name="Ja, bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelding bevestigd")
    axe(page)
    subscription.refresh_from_db()
    assert subscription.is_confirmed
    assert subscription.scope == Subscription.Scope.ALL

    # 3. Another visitor writes a new comment; the follower hears about it.
    other = new_visitor()
    other.goto(ARTICLE_PATH)
    other.get_by_role("link", name="Schrijf een reactie").click()
    other_text = "Wij laten de richtlijnen elk jaar opnieuw lezen door het hele team."
    post_comment(
        other.locator("#reply-slot- form.comment-form"),
        captcha_answer,
        name="Bram Bos",
        email="bram@example.nl",
        text=other_text,
    )
    other_pk = posted_comment_pk(other)
    expect(other.locator(f"#reacties > ol.comments > li#c{other_pk}")).to_contain_text(other_text)

    _, notification = deliver(SUBSCRIBER, 2)
    assert notification["Subject"] == f'Nieuwe reactie op "{ARTICLE_TITLE}"'
    text = " ".join(text_of(notification).split())
    assert f'Bram Bos schreef een nieuwe reactie op "{ARTICLE_TITLE}":' in text
    assert other_text in text
    # The comment's permalink: it lands on the comment, on whatever page shows it.
    comment_link = link_in(notification, f"/reacties/{other_pk}/")
    assert comment_link == f"{site_url}/reacties/{other_pk}/"
    page.goto(comment_link)
    expect(page).to_have_url(re.compile(re.escape(f"{ARTICLE_PATH}#c{other_pk}") + "$"))
    comment = page.locator(f"li#c{other_pk}")
    expect(writer_of(comment)).to_have_text("Bram Bos")
    expect(text_of_comment(comment)).to_contain_text(other_text)
    expect(comment).to_be_in_viewport()

    # 4. One-click unsubscribe (RFC 8058) the way a mail program does it: a bare POST to
    # the List-Unsubscribe URL, without cookies or CSRF token.
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.fullmatch(r"<(.+)>", notification["List-Unsubscribe"]).group(1)
    assert unsubscribe_url in text_of(notification)
    mail_program = new_visitor().request
    response = mail_program.post(
        unsubscribe_url,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert response.status == 200, response.text()[:2000]
    assert "set-cookie" not in response.headers
    subscription.refresh_from_db()
    assert subscription.scope == Subscription.Scope.NONE

    third = new_visitor()
    third.goto(ARTICLE_PATH)
    third.get_by_role("link", name="Schrijf een reactie").click()
    post_comment(
        third.locator("#reply-slot- form.comment-form"),
        captcha_answer,
        name="Cor de Wit",
        email="cor@example.nl",
        text="Goed dat dit onderwerp aandacht krijgt.",
    )
    third_pk = posted_comment_pk(third)
    deliver(SUBSCRIBER, 2)  # runs the worker: nothing more for the follower
    assert Comment.objects.get(pk=third_pk).notifications_queued_at is not None
    assert not OutgoingMail.objects.filter(params__comment=third_pk).exists()
    assert len(smtp_sink.to(SUBSCRIBER)) == 2

    # 5. The notification's manage link lists the article with its three choices, and
    # opening it changes nothing either.
    page.goto(link_in(notification, "/abonnement/beheren/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw abonnementen")
    expect(page.locator("main")).to_contain_text(
        f"De discussies die {SUBSCRIBER} volgt en de nieuwsbrief: kies wat u wilt ontvangen."
    )
    choices = page.get_by_role("group", name=ARTICLE_TITLE)
    expect(choices.get_by_role("radio")).to_have_count(3)
    for scope in SCOPES:
        expect(choices.get_by_role("radio", name=scope, exact=True)).to_be_visible()
    expect(choices.get_by_role("radio", name="niets", exact=True)).to_be_checked()
    expect(page.get_by_role("button", name="Mijn keuzes opslaan")).to_be_visible()
    axe(page)
    screenshot(page, "subscription-manage.png")
    page.set_viewport_size(PHONE)
    screenshot(page, "subscription-manage-phone.png")
    subscription.refresh_from_db()
    assert subscription.scope == Subscription.Scope.NONE
    assert subscription.is_confirmed
