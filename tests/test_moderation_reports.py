"""Readers report comments ("Melden"); enough independent reports hold a comment; the
Digital Services Act's mails go out over real SMTP: a notice's confirmation and decision
to the reporter, a statement of reasons to the writer, and an approval notice."""

import re

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from comments.models import Comment
from moderation.decisions import decide
from moderation.models import Decision, Report
from tests.mail_sink import text_of

pytestmark = pytest.mark.django_db

REPORTER = "melder@example.nl"


def report_url(comment):
    return reverse("moderation:report", args=[comment.pk])


@pytest.fixture
def report_form(client):
    """Open a comment's report page like a reader and fill it in (captcha included)."""

    def fill(comment, **fields):
        html = client.get(report_url(comment)).content.decode()
        key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
        data = {
            "reason": "offensive",
            "explanation": "",
            "law": "",
            "name": "",
            "email": "",
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        }
        data.update(fields)
        return data

    return fill


@pytest.fixture
def laila(seed_article):
    return Comment.objects.get(user_name="Laila Simonis")


def send_report(client, report_form, comment, ip="127.0.0.1", **fields):
    response = client.post(report_url(comment), report_form(comment, **fields), REMOTE_ADDR=ip)
    return response, response.content.decode()


def test_every_visible_comment_has_a_report_link(client, seed_article, laila):
    page = client.get(seed_article.get_absolute_url()).content.decode()
    assert f'href="/reacties/melden/{laila.pk}/"' in page
    with_text = Comment.objects.visible().exclude(comment_html="")
    assert page.count('href="/reacties/melden/') == with_text.count() > 0


def test_a_report_without_an_address_is_taken_and_thanked_for(client, report_form, laila):
    response, _html = send_report(client, report_form, laila, explanation="Grof.")
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "Bedankt voor uw melding" in thanks
    assert "We hebben u een bevestiging gestuurd" not in thanks
    report = Report.objects.get()
    assert (report.comment, report.reason, report.explanation) == (laila, "offensive", "Grof.")


def test_a_report_with_an_address_is_confirmed_by_mail(
    client, report_form, laila, smtp_sink, run_worker
):
    send_report(client, report_form, laila, email=REPORTER, reason="spam")
    run_worker()
    [mail] = smtp_sink.to(REPORTER)
    assert mail["Subject"] == "We hebben uw melding ontvangen"
    assert "spam of reclame" in text_of(mail)
    assert "Leuk artikel! Helemaal mee eens." in text_of(mail)


def test_a_report_of_illegal_content_needs_what_a_dsa_notice_needs(client, report_form, laila):
    response, html = send_report(client, report_form, laila, reason="illegal")
    assert response.status_code == 200
    for message in (
        "Zeg welke wet of regel de reactie overtreedt.",
        "Leg uit waarom de reactie onwettig is.",
        "Vul uw naam in",
        "Vul uw e-mailadres in",
        "Bevestig dat u te goeder trouw meldt.",
    ):
        assert message in html
    assert not Report.objects.exists()


def test_a_notice_of_illegal_content_is_confirmed_as_one(
    client, report_form, laila, smtp_sink, run_worker
):
    send_report(
        client,
        report_form,
        laila,
        reason="illegal",
        law="smaad (art. 261 Sr)",
        explanation="Beschuldigt een bestaande persoon van fraude.",
        name="Mila Melder",
        email=REPORTER,
        good_faith="on",
    )
    run_worker()
    [mail] = smtp_sink.to(REPORTER)
    body = text_of(mail)
    assert "Digital Services Act (artikel 16)" in body
    # What the reporter typed is not echoed to an address nobody confirmed.
    assert "Mila Melder" not in body and "smaad" not in body
    report = Report.objects.get()
    assert (report.law, report.name) == ("smaad (art. 261 Sr)", "Mila Melder")


def test_three_independent_reports_hold_a_public_comment(client, report_form, laila, settings):
    for number in range(2):
        send_report(client, report_form, laila, ip=f"198.51.100.{number}")
    laila.refresh_from_db()
    assert laila.is_public
    send_report(client, report_form, laila, ip="198.51.100.2", email="lezer2@example.nl")
    laila.refresh_from_db()
    assert not laila.is_public
    assert {"code": "reports", "detail": "3"} in laila.hold_reasons
    page = client.get(laila.content_object.get_absolute_url()).content.decode()
    assert "Leuk artikel! Helemaal mee eens." not in page


def test_one_reader_reporting_three_times_counts_once(client, report_form, laila):
    for _ in range(3):
        send_report(client, report_form, laila, email=REPORTER)
    laila.refresh_from_db()
    assert laila.is_public
    assert Report.objects.count() == 1


def test_one_reader_with_three_addresses_still_counts_once(client, report_form, laila):
    for number in range(3):
        send_report(client, report_form, laila, email=f"ik{number}@example.nl")
    laila.refresh_from_db()
    assert laila.is_public
    assert Report.objects.count() == 3  # each is kept, and each address hears the outcome


def test_reports_are_rate_limited_and_keep_the_text(client, report_form, laila, settings):
    settings.MODERATION_REPORT_RATE = "1/m"
    send_report(client, report_form, laila)
    response, html = send_report(client, report_form, laila, explanation="Mijn uitleg.")
    assert response.status_code == 429
    assert "Mijn uitleg." in html
    assert Report.objects.count() == 1


def test_a_bot_filling_the_hidden_field_or_a_wrong_code_is_refused(client, report_form, laila):
    response, html = send_report(client, report_form, laila, homepage="http://spam.example.nl")
    assert "automatisch" in html
    response, html = send_report(client, report_form, laila, captcha_1="fout")
    assert response.status_code == 200
    assert not Report.objects.exists()


def test_only_public_comments_can_be_reported(client, laila):
    Comment.objects.filter(pk=laila.pk).update(is_removed=True)
    assert client.get(report_url(laila)).status_code == 404


def test_the_reporter_hears_the_decision(client, report_form, laila, smtp_sink, run_worker):
    send_report(client, report_form, laila, email=REPORTER)
    decide([laila], action=Decision.Action.REJECT, moderator=None, ground="offensive")
    run_worker()
    decided = [m for m in smtp_sink.to(REPORTER) if "besloten" in m["Subject"]]
    [mail] = decided
    assert "verwijderd" in text_of(mail) and "beledigend of haatzaaiend" in text_of(mail)


def test_the_reporter_hears_when_the_comment_may_stay(
    client, report_form, laila, smtp_sink, run_worker
):
    send_report(client, report_form, laila, email=REPORTER)
    decide([laila], action=Decision.Action.APPROVE, moderator=None)
    run_worker()
    [mail] = [m for m in smtp_sink.to(REPORTER) if "besloten" in m["Subject"]]
    assert "mag blijven" in text_of(mail)


def test_the_writer_of_a_rejected_comment_gets_a_statement_of_reasons(
    post, seed_article, smtp_sink, run_worker, settings
):
    settings.MODERATION_APPEAL_EMAIL = "bezwaar@example.nl"
    comment = post(seed_article, email="schrijver@example.nl")
    decide([comment], action=Decision.Action.REJECT, moderator=None, ground="personal_data")
    run_worker()
    [mail] = smtp_sink.to("schrijver@example.nl")
    body = text_of(mail)
    assert mail["Subject"] == (
        'Uw reactie op "Drie tips voor social mediarichtlijnen" is verwijderd'
    )
    assert mail["Reply-To"] == "bezwaar@example.nl"
    assert "persoonsgegevens van een ander" in body
    assert "Goed punt, dank voor de tips." in body
    assert "door een mens" in body
    assert "bezwaar@example.nl" in body and "geschillen" in body


def test_a_block_is_in_the_statement_of_reasons(post, seed_article, smtp_sink, run_worker):
    comment = post(seed_article, email="schrijver@example.nl")
    decide([comment], action=Decision.Action.BAN, moderator=None, ground="offensive", ban_for="24h")
    run_worker()
    [mail] = smtp_sink.to("schrijver@example.nl")
    assert "U kunt tot " in text_of(mail) and "geen reacties plaatsen" in text_of(mail)


def test_spam_gets_no_statement(post, seed_article, smtp_sink, run_worker):
    comment = post(seed_article, email="spammer@example.nl")
    decide([comment], action=Decision.Action.SPAM, moderator=None)
    run_worker()
    assert smtp_sink.to("spammer@example.nl") == []


def test_the_writer_of_a_held_comment_hears_it_is_online_in_their_language(
    post, seed_article, smtp_sink, run_worker, settings
):
    settings.COMMENTS_MAX_LINKS = 0
    comment = post(
        seed_article,
        language="en",
        email="writer@example.nl",
        comment="See https://bron.example.nl",
    )
    assert not comment.is_public
    decide([comment], action=Decision.Action.APPROVE, moderator=None)
    run_worker()
    [mail] = smtp_sink.to("writer@example.nl")
    assert (
        mail["Subject"] == 'Your comment on "Drie tips voor social mediarichtlijnen" is on the site'
    )
    assert f"/en/reacties/{comment.pk}/" in text_of(mail)  # its permalink


def test_approving_a_public_comment_mails_nobody(laila, smtp_sink, run_worker):
    Comment.objects.filter(pk=laila.pk).update(user_email="laila@example.nl")
    laila.refresh_from_db()
    decide([laila], action=Decision.Action.APPROVE, moderator=None)
    run_worker()
    assert smtp_sink.to("laila@example.nl") == []


def test_a_readers_data_export_lists_their_reports_and_blocks(client, report_form, laila):
    from moderation.models import Ban
    from privacy.personal_data import export

    send_report(client, report_form, laila, email=REPORTER, explanation="Grof.")
    Ban.objects.create(email=REPORTER, note="Scheldt veel.")
    data = export(REPORTER)
    [report] = data["reports"]
    assert (report["reason"], report["explanation"]) == ("offensive", "Grof.")
    assert report["comment_article"]["title"] == "Drie tips voor social mediarichtlijnen"
    assert [block["note"] for block in data["blocks"]] == ["Scheldt veel."]
    assert export("iemand.anders@example.nl")["reports"] == []


def test_erasure_forgets_a_reporters_address_and_a_writers_name_in_the_log(
    client, report_form, post, seed_article
):
    from privacy.personal_data import Erasure, erase

    comment = post(seed_article, name="Petra de Vries", email="petra@example.nl")
    send_report(client, report_form, comment, email=REPORTER, name="Mila Melder")
    decide([comment], action=Decision.Action.REJECT, moderator=None, ground="offensive")
    erase(REPORTER, Erasure.ANONYMISE)
    report = Report.objects.get()
    assert (report.email, report.name) == ("", "")
    erase("petra@example.nl", Erasure.ANONYMISE)
    assert "Petra" not in Decision.objects.get().comment_summary


def test_a_notice_of_child_sexual_abuse_needs_no_name_or_address(client, report_form, laila):
    response, _html = send_report(
        client,
        report_form,
        laila,
        reason="illegal",
        law="art. 252 Sr",
        explanation="Een link naar misbruikmateriaal.",
        good_faith="on",
        child_sexual_abuse="on",
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.name, report.email) == ("", "")
