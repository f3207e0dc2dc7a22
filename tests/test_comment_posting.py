"""Posting a comment: captcha, bot checks, rate limit, double posts and kept input."""

import datetime
import re
import time

import pytest
from captcha.models import CaptchaStore
from django.core import signing
from django.utils import timezone

from comments.forms import FORM_TOKEN_SALT
from comments.models import Comment
from comments.rendering import render_comment_html
from mail.models import OutgoingMail
from tests.conftest import post_url
from tests.mail_sink import text_of

pytestmark = pytest.mark.django_db


def page_text(response):
    return response.content.decode()


def test_a_valid_comment_is_stored_and_the_reader_lands_on_it(client, seed_article, comment_form):
    data = comment_form(seed_article, comment="Mooi *artikel*, zie https://example.nl")
    response = client.post(post_url(seed_article), data, follow=True)
    comment = Comment.objects.get(user_name="Petra de Vries")
    assert response.redirect_chain[-1][0] == f"{seed_article.get_absolute_url()}#c{comment.pk}"
    html = page_text(response)
    assert "Bedankt voor uw reactie." in html
    assert f'id="c{comment.pk}"' in html
    assert comment.comment_html == (
        '<p>Mooi *artikel*, zie <a href="https://example.nl" rel="nofollow ugc noopener">'
        "https://example.nl</a></p>"
    )
    assert comment.is_public
    assert "(6)" in html


def test_the_text_is_sanitised_once_per_post(client, seed_article, comment_form, monkeypatch):
    """The form renders the text to refuse one with nothing left; the stored comment keeps
    that rendering instead of making it again."""
    rendered = []

    def counting_render(text):
        rendered.append(text)
        return render_comment_html(text)

    # Every rendering goes through this one function (render_comment calls it).
    monkeypatch.setattr("comments.rendering.render_comment_html", counting_render)
    text = "Eén keer <b>schoon</b>, zie https://example.nl"
    data = comment_form(seed_article, comment=text, followup="on")
    assert client.post(post_url(seed_article), data).status_code == 302
    assert rendered == [text]
    assert Comment.objects.latest("pk").comment_html == render_comment_html(text)


def test_the_form_page_works_on_its_own(client, seed_article):
    response = client.get(post_url(seed_article))
    html = page_text(response)
    assert response.status_code == 200
    assert "<h1>Reageren</h1>" in html
    assert 'placeholder="http://"' in html
    assert (
        "Ik wil bericht per e-mail ontvangen als er meer reacties op dit artikel verschijnen."
        in html
    )
    assert "Klik hier om de code te wijzigen." in html
    assert "csrfmiddlewaretoken" in html
    assert "<title>Reageren: " in html


def test_the_e_mail_help_links_to_the_privacy_page(client, seed_article):
    html = page_text(client.get(post_url(seed_article)))
    help_text = re.search(r'<span class="field__help" id="id_email_helptext">(.*?)</span>', html)
    assert 'Zie onze <a href="/privacy/">privacypagina</a>.' in help_text.group(1)
    english = page_text(client.get("/en" + post_url(seed_article)))
    assert 'See our <a href="/en/privacy/">privacy page</a>.' in english


@pytest.mark.parametrize(
    ("answer", "message"),
    [("fout", "De code klopt niet."), ("", "Typ de code uit de afbeelding over.")],
    ids=["wrong", "missing"],
)
def test_a_wrong_or_missing_captcha_keeps_the_text(
    client, seed_article, comment_form, answer, message
):
    data = comment_form(seed_article, captcha_1=answer, comment="Mijn lange verhaal.")
    response = client.post(post_url(seed_article), data)
    html = page_text(response)
    assert response.status_code == 200
    assert message in html
    assert "Mijn lange verhaal." in html
    assert 'value="Petra de Vries"' in html
    assert "<title>Fout: Reageren: " in html
    assert not Comment.objects.filter(user_name="Petra de Vries").exists()


def test_a_captcha_answer_works_only_once(client, seed_article, comment_form):
    data = comment_form(seed_article)
    client.post(post_url(seed_article), data)
    replay = dict(data, form_token=comment_form(seed_article)["form_token"])
    response = client.post(post_url(seed_article), replay)
    assert "De code klopt niet." in page_text(response)
    assert Comment.objects.filter(user_name="Petra de Vries").count() == 1


def test_a_wrong_answer_burns_the_code(client, seed_article, comment_form):
    data = comment_form(seed_article)
    client.post(post_url(seed_article), dict(data, captcha_1="fout"))
    response = client.post(post_url(seed_article), data)
    assert "De code klopt niet." in page_text(response)
    assert not Comment.objects.filter(user_name="Petra de Vries").exists()


def test_the_honeypot_stops_bots(client, seed_article, comment_form):
    data = comment_form(seed_article, homepage="http://spam.example")
    response = client.post(post_url(seed_article), data)
    assert "Deze reactie lijkt automatisch verstuurd" in page_text(response)
    assert not Comment.objects.filter(user_name="Petra de Vries").exists()


def test_a_form_sent_too_quickly_is_refused(client, seed_article, comment_form, settings):
    data = comment_form(seed_article)
    settings.COMMENTS_MIN_FILL_SECONDS = 60
    response = client.post(post_url(seed_article), data)
    assert "Dat ging wel erg snel." in page_text(response)
    assert not Comment.objects.filter(user_name="Petra de Vries").exists()


def test_posting_is_rate_limited_per_address(client, seed_article, comment_form, settings):
    forms = [comment_form(seed_article, name=f"Lezer {i}") for i in range(3)]
    settings.COMMENTS_POST_RATE = "2/m"
    statuses = [client.post(post_url(seed_article), data).status_code for data in forms]
    assert statuses == [302, 302, 429]
    response = client.post(post_url(seed_article), forms[2])
    html = page_text(response)
    assert "U hebt in korte tijd te vaak geprobeerd een reactie te plaatsen." in html
    assert "<title>Fout: Reageren: " in html
    assert "Goed punt, dank voor de tips." in html
    assert not Comment.objects.filter(user_name="Lezer 2").exists()


def test_posting_the_same_form_twice_creates_one_comment(client, seed_article, comment_form):
    data = comment_form(seed_article)
    first = client.post(post_url(seed_article), data)
    second = client.post(post_url(seed_article), data, follow=True)
    assert Comment.objects.filter(user_name="Petra de Vries").count() == 1
    comment = Comment.objects.get(user_name="Petra de Vries")
    assert first["Location"] == comment.get_absolute_url()
    assert second.redirect_chain[-1][0].endswith(f"#c{comment.pk}")
    assert "Uw reactie was al geplaatst." in page_text(second)


def test_a_form_open_for_hours_still_keeps_the_text(client, seed_article, comment_form):
    data = comment_form(seed_article, comment="Na een lange lunch geschreven.")
    payload = signing.loads(data["form_token"], salt=FORM_TOKEN_SALT)
    payload["t"] = int(time.time()) - 5 * 3600
    data["form_token"] = signing.dumps(payload, salt=FORM_TOKEN_SALT)
    CaptchaStore.objects.filter(hashkey=data["captcha_0"]).update(
        expiration=timezone.now() - timezone.timedelta(hours=4)
    )
    response = client.post(post_url(seed_article), data)
    html = page_text(response)
    assert response.status_code == 200
    assert "Na een lange lunch geschreven." in html
    assert "De code klopt niet." in html
    # The same form, with the new code it now shows, goes through.
    new_key = response.context["form"]["captcha"].field.widget._key
    data.update(captcha_0=new_key, captcha_1=CaptchaStore.objects.get(hashkey=new_key).response)
    assert client.post(post_url(seed_article), data).status_code == 302
    assert Comment.objects.filter(comment="Na een lange lunch geschreven.").exists()


def test_a_tampered_form_token_is_refused_with_the_text_kept(client, seed_article, comment_form):
    data = comment_form(seed_article, comment="Ik blijf bewaard.")
    data["form_token"] = data["form_token"][:-3] + "abc"
    response = client.post(post_url(seed_article), data)
    html = page_text(response)
    assert "Dit formulier is niet meer geldig." in html
    assert "Ik blijf bewaard." in html
    assert data["form_token"] not in html  # a fresh token to send again with


def test_a_token_for_another_article_is_refused(client, seed_article, make_article, comment_form):
    other = make_article()
    data = comment_form(other)
    response = client.post(post_url(seed_article), data)
    assert "Dit formulier is niet meer geldig." in page_text(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Vul uw naam in."),
        ("name", "Evil\u202eeman", "Uw naam bevat tekens die niet zijn toegestaan."),
        ("name", "x" * 51, "niet meer dan 50 tekens"),
        ("email", "geen-adres", "geldig e-mailadres"),
        ("email", "a@b.nl\r\nBcc: x@y.nl", "geldig e-mailadres"),
        ("url", "javascript:alert(1)", "geldige URL"),
        ("url", "ftp://example.nl", "geldige URL"),
        ("comment", "", "Schrijf uw reactie."),
        ("comment", "<b></b><script></script>", "geen tekst over"),
        ("comment", "nul\x00byte", "Null-tekens zijn niet toegestaan"),
        ("comment", "x" * 3001, "niet meer dan 3000 tekens"),
        ("parent", "abc", "geheel getal"),
        ("parent", "999999", "bestaat niet (meer)"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_no_comment(
    client, seed_article, comment_form, field, value, message
):
    data = comment_form(seed_article, **{field: value})
    response = client.post(post_url(seed_article), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert "Uw reactie is nog niet geplaatst." in page_text(response)
    assert Comment.objects.count() == 5


def test_the_website_http_placeholder_alone_counts_as_empty(client, seed_article, comment_form):
    client.post(post_url(seed_article), comment_form(seed_article, url="http://"))
    assert Comment.objects.get(user_name="Petra de Vries").user_url == ""


def test_the_name_links_to_the_website_with_rel(client, seed_article, comment_form):
    data = comment_form(seed_article, url="https://petra.example.nl/")
    response = client.post(post_url(seed_article), data, follow=True)
    assert (
        '<a href="https://petra.example.nl/" rel="nofollow ugc noopener">Petra de Vries</a>'
        in page_text(response)
    )


def test_the_captcha_refresh_without_javascript_keeps_the_text(client, seed_article, comment_form):
    data = comment_form(seed_article, comment="Bijna klaar.")
    response = client.post(post_url(seed_article), dict(data, nieuwe_code="1"))
    html = page_text(response)
    assert "Bijna klaar." in html
    assert data["captcha_0"] not in html
    assert "Uw reactie is nog niet geplaatst." not in html
    assert "<title>Reageren: " in html
    assert Comment.objects.count() == 5


def test_the_captcha_refresh_endpoint_gives_a_new_image(client):
    response = client.get("/captcha/refresh/", headers={"X-Requested-With": "XMLHttpRequest"})
    data = response.json()
    assert CaptchaStore.objects.filter(hashkey=data["key"]).exists()
    assert client.get(data["image_url"])["Content-Type"] == "image/png"


def test_moderators_are_emailed_about_new_comments(
    client, seed_article, comment_form, settings, smtp_sink, run_worker
):
    settings.COMMENTS_MODERATOR_EMAILS = ["moderator@example.nl"]
    client.post(post_url(seed_article), comment_form(seed_article))
    run_worker()
    comment = Comment.objects.get(user_name="Petra de Vries")
    [message] = smtp_sink.to("moderator@example.nl")
    assert message["Subject"] == (
        'Nieuwe reactie van Petra de Vries op "Drie tips voor social mediarichtlijnen"'
    )
    assert f"/beheer/comments/comment/{comment.pk}/change/" in text_of(message)


def test_a_mail_failure_never_loses_the_comment(
    client, seed_article, comment_form, settings, smtp_sink, run_worker
):
    settings.COMMENTS_MODERATOR_EMAILS = ["moderator@example.nl"]
    smtp_sink.stop()
    response = client.post(post_url(seed_article), comment_form(seed_article))
    run_worker()
    assert response.status_code == 302
    assert Comment.objects.filter(user_name="Petra de Vries").exists()
    mail = OutgoingMail.objects.get(to="moderator@example.nl")
    assert mail.status == OutgoingMail.Status.PENDING
    assert mail.attempts == 1
    assert "Connection refused" in mail.last_error or "Errno" in mail.last_error


def test_name_and_email_are_remembered_only_on_request(client, seed_article, comment_form):
    response = client.post(post_url(seed_article), comment_form(seed_article))
    assert "lezer" not in response.cookies
    assert 'value="Petra de Vries"' not in client.get(post_url(seed_article)).content.decode()

    data = comment_form(seed_article, name="Rik", email="rik@example.nl", remember="on")
    response = client.post(post_url(seed_article), data)
    cookie = response.cookies["lezer"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    form = client.get(post_url(seed_article)).content.decode()
    assert 'value="Rik"' in form and 'value="rik@example.nl"' in form
    assert 'name="remember" id="id_remember" checked' in form

    response = client.post(post_url(seed_article), comment_form(seed_article, name="Rik"))
    assert response.cookies["lezer"].value == ""  # unticked: forgotten
    assert "Rik" not in client.get(post_url(seed_article)).content.decode()


def test_a_tampered_remember_cookie_is_ignored(client, seed_article):
    client.cookies["lezer"] = "vervalst"
    assert client.get(post_url(seed_article)).status_code == 200


def test_asking_for_new_captcha_codes_does_not_use_up_the_posting_limit(
    client, seed_article, comment_form, settings
):
    """Without JavaScript a new code is a post-back of the form; it is not a post."""
    data = comment_form(seed_article)
    settings.COMMENTS_POST_RATE = "2/m"
    for _ in range(3):
        refreshed = client.post(post_url(seed_article), {**data, "nieuwe_code": "1"})
        assert refreshed.status_code == 200
    response = client.post(post_url(seed_article), data)
    assert response.status_code == 302


def test_a_comment_saved_with_html_of_its_own_is_sanitised(seed_article):
    """Only render_comment's result is stored as it is; HTML handed to the model is not."""
    comment = Comment.objects.for_article(seed_article).first()
    comment.comment = "Nieuwe tekst"
    comment.comment_html = '<script>alert("x")</script>'
    comment.save()
    comment.refresh_from_db()
    assert comment.comment_html == "<p>Nieuwe tekst</p>"
    made = Comment(
        content_type=comment.content_type,
        object_pk=comment.object_pk,
        site_id=comment.site_id,
        user_name="Iemand",
        comment="Hallo",
        comment_html="<script>alert(1)</script>",
        submit_date=timezone.now(),
    )
    made.save()
    assert Comment.objects.get(pk=made.pk).comment_html == "<p>Hallo</p>"


def test_back_and_send_again_from_a_fresh_form_posts_one_comment(
    client, seed_article, comment_form
):
    text = "Een lange reactie die ik na Terug nog eens verstuur."
    first = client.post(post_url(seed_article), comment_form(seed_article, comment=text))
    again = client.post(post_url(seed_article), comment_form(seed_article, comment=text))
    [comment] = Comment.objects.filter(comment=text)
    assert first["Location"] == again["Location"] == comment.get_absolute_url()
    page = client.get(again["Location"], follow=True).content.decode()
    assert "Uw reactie was al geplaatst." in page


def test_the_same_text_later_or_a_different_text_is_a_new_comment(
    client, seed_article, comment_form
):
    text = "Mee eens."
    client.post(post_url(seed_article), comment_form(seed_article, comment=text))
    Comment.objects.filter(comment=text).update(
        submit_date=timezone.now() - datetime.timedelta(minutes=7)
    )
    client.post(post_url(seed_article), comment_form(seed_article, comment=text))
    client.post(post_url(seed_article), comment_form(seed_article, comment="Mee oneens."))
    assert Comment.objects.filter(comment=text).count() == 2
    assert Comment.objects.filter(comment="Mee oneens.").count() == 1
