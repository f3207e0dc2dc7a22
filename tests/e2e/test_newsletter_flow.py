"""A reader signs up for the newsletter from an article, receives it, and unsubscribes.

The site runs on the live server, the mail goes over real SMTP to a local aiosmtpd sink
(`smtp_sink`), and the worker runs in this process (`deliver`). The editor sends articles
with the admin action in a browser of their own. Every page on the way is checked with
axe-core.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTICLE_PATH, captcha_key, link_in, wrong_answer
from tests.mail_sink import text_of

# serialized_rollback: a transactional test empties the database afterwards; this
# restores the article and comments loaded by the data migrations before each test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

READER = "lezer@example.nl"
OTHER_READER = "abonnee@example.nl"  # stays subscribed: shows a newsletter did go out
SUBSCRIBE = "Aanmelden voor de nieuwsbrief"
WRONG_CODE = "De code klopt niet. Typ de code van de nieuwe afbeelding over."
SEND_ACTION = "Naar abonnees van de nieuwsbrief sturen"


@pytest.fixture
def editor(new_visitor, django_user_model):
    """An editor logged in to the admin, in a browser of their own."""
    django_user_model.objects.create_superuser(
        "redactie", "redactie@example.nl", "een-lang-wachtwoord"
    )
    page = new_visitor()
    page.goto("/beheer/")
    page.get_by_label("Gebruikersnaam").fill("redactie")
    page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator("#user-tools")).to_contain_text("redactie")
    return page


def send_to_newsletter(editor, article):
    """The admin action on the article list, as an editor uses it."""
    editor.goto("/beheer/articles/article/")
    editor.locator(f'input.action-select[value="{article.pk}"]').check()
    editor.get_by_label("Actie:").select_option(label=SEND_ACTION)
    editor.get_by_role("button", name="Uitvoeren").click()
    # The admin asks first, naming the article and how many will receive it.
    expect(editor.get_by_role("heading", level=1)).to_have_text("Naar de nieuwsbrief sturen?")
    expect(editor.locator("#content")).to_contain_text(article.title)
    editor.get_by_role("button", name="Ja, versturen").click()
    expect(editor.locator(".messagelist")).to_have_text(
        "1 artikel wordt naar de abonnees van de nieuwsbrief gestuurd."
    )


@pytest.fixture
def other_subscriber(transactional_db):
    from django.utils import timezone

    from comments.models import Subscription

    return Subscription.objects.create(email=OTHER_READER, confirmed_at=timezone.now())


def test_sign_up_receive_and_unsubscribe(
    page,
    editor,
    other_subscriber,
    make_article,
    site_url,
    captcha_answer,
    smtp_sink,
    deliver,
    axe,
):
    # 1. The article's "Nieuwsbrief" link leads to the sign-up form.
    page.goto(ARTICLE_PATH)
    page.locator(".article__actions").get_by_role("link", name="Nieuwsbrief").click()
    expect(page).to_have_url(site_url + "/nieuwsbrief/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwsbrief")
    axe(page)

    # 2. A wrong code: the error is in Dutch, the address is kept, a new code is shown.
    form = page.locator("form.comment-form")
    form.get_by_label("E-mailadres").fill(READER)
    old_key = captcha_key(form)
    form.locator("input[name='captcha_1']").fill(wrong_answer(captcha_answer(old_key)))
    form.get_by_role("button", name=SUBSCRIBE).click()
    errors = page.locator(".form-errors")
    expect(errors).to_contain_text("Controleer het volgende:")
    expect(errors).to_contain_text(WRONG_CODE)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(form.get_by_label("E-mailadres")).to_have_value(READER)
    assert captcha_key(form) != old_key
    axe(page)

    # 3. The right code: a page asks the reader to check their mail.
    form.locator("input[name='captcha_1']").fill(captcha_answer(captcha_key(form)))
    form.get_by_role("button", name=SUBSCRIBE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw e-mail")
    axe(page)

    # 4. The confirmation mail's link opens a page whose button confirms.
    [confirmation] = deliver(READER, 1)
    page.goto(link_in(confirmation, "/nieuwsbrief/bevestigen/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig uw aanmelding")
    expect(page.locator("main")).to_contain_text(READER)
    axe(page)
    page.get_by_role("button", name="Ja, bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelding bevestigd")
    axe(page)

    # From there the reader's subscriptions page lists the newsletter, in Dutch mails.
    page.get_by_role("link", name="Uw abonnementen").click()
    newsletter_choice = page.get_by_role("group", name="Nieuwsbrief")
    expect(newsletter_choice.get_by_role("radio", name="stuur mij de nieuwsbrief")).to_be_checked()
    language = page.get_by_role("group", name="Taal van de e-mails")
    expect(language.get_by_role("radio", name="Nederlands")).to_be_checked()
    axe(page)

    # 5. The editor sends an article; the newsletter arrives with the article and a way out.
    article = make_article(
        title="Vijf tips voor de btw-aangifte", lead="Zo voorkomt u een boete van de fiscus."
    )
    send_to_newsletter(editor, article)
    _, newsletter = deliver(READER, 2)
    assert newsletter["Subject"] == article.title
    text = text_of(newsletter)
    assert article.lead in text
    assert site_url + article.get_absolute_url() in text
    deliver(OTHER_READER, 1)

    # 6. Its unsubscribe link opens a page whose button stops the newsletter.
    page.goto(link_in(newsletter, "/nieuwsbrief/afmelden/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mails stoppen")
    expect(page.locator("main")).to_contain_text(READER)
    axe(page)
    page.get_by_role("button", name="Ja, stop de nieuwsbrief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent afgemeld")
    axe(page)

    # 7. The next newsletter reaches the other subscriber, not the reader.
    send_to_newsletter(editor, make_article(title="Zo houdt u uw administratie bij"))
    deliver(OTHER_READER, 2)
    assert len(smtp_sink.to(READER)) == 2
