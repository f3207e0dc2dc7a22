"""The spam filter in use (moderation/spam_scoring.py): trained on the moderators' own
decisions by the worker, scoring and holding new comments, and the local known-spam
checks on addresses and link domains; its state in the admin."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.screening import Draft, Screening
from moderation import spam_scoring, tasks
from moderation.decisions import decide
from moderation.models import CommentSign, Decision, Ground, SpamFilterState
from moderation.spam_filter import MIN_EXAMPLES_PER_CLASS, read_examples

pytestmark = pytest.mark.django_db

SPAM_TEXT = (
    "Beste online casino bonus, gratis spins en snel geld!! Kijk op "
    "https://www.mega-casino-gokken.example/bonus en win vandaag nog."
)
GENUINE_TEXT = (
    "Wij hebben vorig jaar ook een socialmediabeleid opgesteld met de ondernemingsraad. "
    "Het belangrijkste vonden wij dat medewerkers weten wat ze wel mogen zeggen."
)
INNOCENT_TEXT = "Goed punt over de richtlijnen, dank voor het artikel."
STATE_ADMIN = reverse("admin:moderation_spamfilterstate_changelist")


def make_comment(article, text, **fields):
    fields.setdefault("user_name", "Lezer")
    fields.setdefault("user_email", "lezer@example.nl")
    fields.setdefault("is_public", True)
    comment = Comment(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=1,
        comment=text,
        submit_date=timezone.now(),
        **fields,
    )
    comment.save()
    return comment


def approved(article, text, **fields):
    comment = make_comment(article, text, **fields)
    decide([comment], action=Decision.Action.APPROVE, moderator=None)
    return comment


def marked_spam(article, text, **fields):
    comment = make_comment(article, text, is_public=False, **fields)
    decide([comment], action=Decision.Action.SPAM, moderator=None)
    return comment


def labels():
    return {comment.pk: comment.is_spam for comment in spam_scoring.labelled_comments()}


def decided_in_bulk(article, examples):
    """Comments as the moderators left them: approved ones shown, spam ones marked."""
    ham, spam = [], []
    for number, example in enumerate(examples):
        comment = make_comment(
            article,
            example.text,
            user_name=example.name or f"Lezer {number}",
            user_email=example.email,
            user_url=example.url,
            is_public=not example.is_spam,
        )
        (spam if example.is_spam else ham).append(comment)
    decide(ham, action=Decision.Action.APPROVE, moderator=None)
    decide(spam, action=Decision.Action.SPAM, moderator=None)


def made_examples(count):
    """`count` approved and `count` spam comments, made up, with words in common."""
    ham = [f"Reactie {n} over de btw, het personeel en de richtlijnen." for n in range(count)]
    spam = [f"Casino bonus {n}, gratis geld op https://gok{n}.example nu!!" for n in range(count)]
    return ham, spam


@pytest.fixture
def trained_on_labelled_set(seed_article):
    """The labelled set (moderation/data/labelled_comments.jsonl) as decided comments,
    and the filter retrained on them."""
    decided_in_bulk(seed_article, read_examples())
    return spam_scoring.retrain()


# Enough for the held-out measure too: 20 of each class are left to train on.
MADE_PER_CLASS = 27


@pytest.fixture
def trained_on_made_set(seed_article):
    ham, spam = made_examples(MADE_PER_CLASS)
    for text in ham:
        approved(seed_article, text)
    for text in spam:
        marked_spam(seed_article, text, user_email="gokker@spam.example")
    return spam_scoring.retrain()


def reasons(comment):
    return {reason["code"]: reason["detail"] for reason in comment.hold_reasons}


# --------------------------------------------------------------------------------------
# Examples from decisions
# --------------------------------------------------------------------------------------


def test_approved_comments_still_shown_are_ham_and_comments_marked_as_spam_are_spam(
    seed_article,
):
    ham = approved(seed_article, "Goedgekeurd.")
    spam = marked_spam(seed_article, "Als spam gemarkeerd.")
    rejected_as_spam = make_comment(seed_article, "Afgewezen als spam.")
    decide([rejected_as_spam], action=Decision.Action.REJECT, moderator=None, ground=Ground.SPAM)
    banned_for_spam = make_comment(seed_article, "Geblokkeerd om spam.")
    decide(
        [banned_for_spam],
        action=Decision.Action.BAN,
        moderator=None,
        ground=Ground.SPAM,
        ban_for="1h",
    )
    flagged_without_decision = make_comment(seed_article, "Spamvlag.", is_spam=True)
    rejected_as_offensive = make_comment(seed_article, "Beledigend.")
    decide(
        [rejected_as_offensive],
        action=Decision.Action.REJECT,
        moderator=None,
        ground=Ground.OFFENSIVE,
    )
    make_comment(seed_article, "Nooit beoordeeld.")

    assert labels() == {
        ham.pk: False,
        spam.pk: True,
        rejected_as_spam.pk: True,
        banned_for_spam.pk: True,
        flagged_without_decision.pk: True,
    }


def test_the_latest_decision_wins_and_each_comment_counts_once(seed_article):
    forgiven = marked_spam(seed_article, "Toch geen spam.")
    decide([forgiven], action=Decision.Action.APPROVE, moderator=None)
    caught = approved(seed_article, "Toch spam.")
    decide([caught], action=Decision.Action.SPAM, moderator=None)
    hidden_later = approved(seed_article, "Later verborgen.")
    decide([hidden_later], action=Decision.Action.REJECT, moderator=None, ground=Ground.OFF_TOPIC)

    assert labels() == {forgiven.pk: False, caught.pk: True}
    assert len(spam_scoring.training_examples()) == 2


# --------------------------------------------------------------------------------------
# Retraining
# --------------------------------------------------------------------------------------


def test_below_the_minimum_the_state_is_untrained_and_comments_are_not_scored(seed_article, post):
    ham, spam = made_examples(MIN_EXAMPLES_PER_CLASS)
    for text in ham:
        approved(seed_article, text)
    for text in spam[:-1]:
        marked_spam(seed_article, text)

    state = spam_scoring.retrain()

    assert not state.is_trained
    assert (state.ham_examples, state.spam_examples) == (20, 19)
    assert state.trained_at is not None and state.precision is None
    comment = post(seed_article, comment=spam[-1])
    assert comment.spam_score is None
    assert "spam_score" not in reasons(comment)


def test_above_the_minimum_the_filter_is_trained_and_measured_on_held_out_decisions(
    trained_on_labelled_set,
):
    state = SpamFilterState.objects.get()
    assert state.is_trained
    assert (state.ham_examples, state.spam_examples) == (270, 181)
    # A quarter of each class held out (docs/spam-filter.md: 68 ham, 45 spam).
    assert state.held_out == 113
    assert (
        state.true_positives + state.false_positives + state.true_negatives + state.false_negatives
    ) == 113
    assert state.threshold == 0.9
    assert state.precision >= 0.85 and state.recall >= 0.7


def test_a_spam_like_comment_is_held_with_its_score_and_a_genuine_one_is_not(
    trained_on_labelled_set, seed_article, post
):
    spam = post(seed_article, comment=SPAM_TEXT, name="gokken online", url="")
    genuine = post(seed_article, comment=GENUINE_TEXT, name="Anneke Visser")

    assert not spam.is_public
    assert spam.spam_score >= 0.9
    assert reasons(spam)["spam_score"] == f"{spam.spam_score:.2f}"
    assert genuine.is_public
    assert genuine.hold_reasons == []
    assert genuine.spam_score is not None and genuine.spam_score < 0.5


def test_the_threshold_comes_from_the_setting(
    trained_on_labelled_set, seed_article, post, settings
):
    settings.MODERATION_SPAM_THRESHOLD = 0.0
    comment = post(seed_article, comment=GENUINE_TEXT, name="Anneke Visser")
    assert not comment.is_public
    assert "spam_score" in reasons(comment)


def test_staff_are_neither_scored_nor_held(trained_on_made_set, seed_article, staff_client, post):
    comment = post(seed_article, comment=SPAM_TEXT, email="gokker@spam.example")
    assert comment.is_public
    assert comment.spam_score is None
    assert comment.hold_reasons == []


def test_the_filter_is_loaded_again_only_after_a_retraining(trained_on_made_set, seed_article):
    first = spam_scoring.current_filter()
    assert spam_scoring.current_filter() is first
    spam_scoring.retrain()
    assert spam_scoring.current_filter() is not first


def test_scoring_and_known_spam_cost_one_query_per_post(trained_on_labelled_set, seed_article):
    draft = Draft(
        article=seed_article,
        parent=None,
        name="Lezer",
        email="lezer@voorbeeld.example",
        url="https://www.eigen-site.example",
        text=SPAM_TEXT,
        html="",
        ip_address="203.0.113.9",
    )
    spam_scoring.hold_likely_spam(draft, Screening())  # an earlier post loaded the filter
    with CaptureQueriesContext(connection) as queries:
        screening = Screening()
        spam_scoring.hold_likely_spam(draft, screening)
        spam_scoring.hold_known_spam(draft, screening)
    assert len(queries) == 1  # the signs; which filter is current comes from the cache
    assert "moderation_commentsign" in queries[0]["sql"]
    assert screening.spam_score >= 0.9


def test_another_process_retraining_is_seen_once_the_cached_stamp_expires(
    trained_on_made_set, seed_article
):
    first = spam_scoring.current_filter()
    SpamFilterState.objects.update(model=None, trained_at=timezone.now())  # the worker
    assert spam_scoring.current_filter() is first
    cache.delete(spam_scoring.STAMP_CACHE_KEY)  # STAMP_SECONDS later
    assert spam_scoring.current_filter() is None


# --------------------------------------------------------------------------------------
# Known spam
# --------------------------------------------------------------------------------------


def test_an_address_known_from_spam_is_held(seed_article, post):
    marked_spam(seed_article, "Koop nu!", user_email="verkoper@spam.example")
    spam_scoring.retrain()

    comment = post(seed_article, comment=INNOCENT_TEXT, email="Verkoper@Spam.example")

    assert not comment.is_public
    assert reasons(comment) == {"known_spam": "e-mailadres"}
    assert not CommentSign.objects.filter(value__icontains="verkoper").exists()


def test_an_ip_address_known_from_spam_is_held_while_it_is_kept(seed_article, post):
    spam = marked_spam(
        seed_article, "Koop nu!", user_email="a@spam.example", ip_address="127.0.0.1"
    )
    spam_scoring.retrain()

    comment = post(seed_article, comment=INNOCENT_TEXT)
    assert reasons(comment) == {"known_spam": "IP-adres"}
    assert "127.0.0.1" not in comment.hold_reasons[0]["detail"]

    Comment.objects.filter(pk=spam.pk).update(ip_address=None)  # the daily clean-up
    assert post(seed_article, comment=INNOCENT_TEXT + " Nogmaals.").is_public


@pytest.mark.parametrize(
    ("spam_fields", "new_fields"),
    [
        (
            {"comment": "Winnen? https://casino-bonus.example/spins"},
            {"comment": "Zie casino-bonus.example."},
        ),
        (
            {"comment": "Mooi.", "user_url": "https://www.casino-bonus.example"},
            {"url": "http://casino-bonus.example/"},
        ),
        (
            {"comment": "Kijk op www.casino-bonus.example/nu"},
            {"url": "https://casino-bonus.example"},
        ),
    ],
    ids=["text-to-text", "website-to-website", "text-to-website"],
)
def test_a_link_domain_known_from_spam_is_held(seed_article, post, spam_fields, new_fields):
    text = spam_fields.pop("comment")
    marked_spam(seed_article, text, user_email="a@spam.example", **spam_fields)
    spam_scoring.retrain()

    new_fields.setdefault("comment", INNOCENT_TEXT)
    comment = post(seed_article, **new_fields)

    assert not comment.is_public
    assert reasons(comment) == {"known_spam": "linkdomein casino-bonus.example"}


def test_everything_that_matched_is_named(seed_article, post):
    marked_spam(
        seed_article,
        "Zie https://a-spam.example en https://b-spam.example",
        user_email="x@spam.example",
    )
    spam_scoring.retrain()
    comment = post(
        seed_article,
        comment="Zie https://b-spam.example en https://a-spam.example",
        email="x@spam.example",
    )
    assert reasons(comment) == {
        "known_spam": "e-mailadres, linkdomein a-spam.example, linkdomein b-spam.example"
    }


def test_a_domain_also_seen_in_an_approved_comment_is_not_held(seed_article, post):
    marked_spam(
        seed_article,
        "Goedkoop: https://www.bol-winkel.example/aanbieding",
        user_email="a@spam.example",
    )
    approved(seed_article, "Ik kocht het boek bij bol-winkel.example, aanrader.")
    spam_scoring.retrain()

    comment = post(seed_article, comment="Ook te koop op https://bol-winkel.example/boek")

    assert comment.is_public
    assert comment.hold_reasons == []


def test_an_address_also_seen_in_an_approved_comment_is_not_held(seed_article, post):
    marked_spam(seed_article, "Koop nu!", user_email="gedeeld@example.nl")
    approved(seed_article, "Een echte reactie.", user_email="gedeeld@example.nl")
    spam_scoring.retrain()
    assert post(seed_article, comment=INNOCENT_TEXT, email="gedeeld@example.nl").is_public


def test_an_erased_address_matches_no_more(seed_article, post):
    spam = marked_spam(seed_article, "Koop nu!", user_email="wissen@spam.example")
    spam_scoring.retrain()
    Comment.objects.filter(pk=spam.pk).update(user_email="")  # privacy.personal_data.erase
    assert post(seed_article, comment=INNOCENT_TEXT, email="wissen@spam.example").is_public


def test_the_sites_own_domain_is_never_known_spam(seed_article, post, settings):
    settings.SITE_URL = "https://www.ondernemen.example"
    marked_spam(
        seed_article,
        "Lees https://www.ondernemen.example/artikel en koop!",
        user_email="a@spam.example",
    )
    spam_scoring.retrain()
    assert not CommentSign.objects.filter(kind=CommentSign.Kind.LINK_DOMAIN).exists()
    assert post(seed_article, comment="Zie ook ondernemen.example/artikel.").is_public


def test_known_spam_is_checked_before_the_filter_is_trained(seed_article, post):
    marked_spam(seed_article, "Zie https://casino-bonus.example", user_email="a@spam.example")
    state = spam_scoring.retrain()
    assert not state.is_trained
    comment = post(seed_article, comment="Ook hier: casino-bonus.example")
    assert reasons(comment) == {"known_spam": "linkdomein casino-bonus.example"}


# --------------------------------------------------------------------------------------
# The worker retrains as decisions come in
# --------------------------------------------------------------------------------------


def waiting_retrainings():
    return DBTaskResult.objects.filter(
        task_path=tasks.retrain_spam_filter.module_path, status=TaskResultStatus.READY
    )


def test_the_worker_retrains_after_decisions(seed_article, run_worker, post):
    ham, spam = made_examples(MIN_EXAMPLES_PER_CLASS)
    decide(
        [make_comment(seed_article, text) for text in ham],
        action=Decision.Action.APPROVE,
        moderator=None,
    )
    decide(
        [make_comment(seed_article, text, is_public=False) for text in spam],
        action=Decision.Action.SPAM,
        moderator=None,
    )
    assert waiting_retrainings().count() == 1  # one retraining covers both decisions

    run_worker()

    state = SpamFilterState.objects.get()
    assert state.is_trained
    assert (state.ham_examples, state.spam_examples) == (20, 20)
    assert not waiting_retrainings().exists()
    assert CommentSign.objects.filter(kind=CommentSign.Kind.LINK_DOMAIN, is_spam=True).exists()
    assert post(seed_article, comment="Zie https://gok3.example").hold_reasons


def test_a_decision_soon_after_a_retraining_waits_for_the_interval(seed_article):
    state = spam_scoring.retrain()
    approved(seed_article, "Goedgekeurd.")
    [waiting] = waiting_retrainings()
    assert waiting.run_after == state.trained_at + tasks.RETRAIN_AT_MOST_EVERY


def test_a_decision_after_a_quiet_spell_retrains_at_once(seed_article):
    spam_scoring.retrain(now=timezone.now() - datetime.timedelta(hours=1))
    approved(seed_article, "Goedgekeurd.")
    [waiting] = waiting_retrainings()
    assert DBTaskResult.objects.ready().filter(pk=waiting.pk).exists()


def test_a_starting_worker_retrains_when_decisions_are_newer(seed_article, run_worker):
    comment = make_comment(seed_article, "Voor de uitrol goedgekeurd.")
    Decision.objects.create(
        comment=comment, comment_summary="Lezer", action=Decision.Action.APPROVE
    )
    assert SpamFilterState.objects.get().trained_at is None

    run_worker()

    state = SpamFilterState.objects.get()
    assert state.trained_at is not None and state.ham_examples == 1


def test_the_management_command_retrains(trained_on_made_set, capsys):
    call_command("retrain_spam_filter")
    out = capsys.readouterr().out
    assert "Trained on 27 approved and 27 spam comments. Held out 14:" in out
    assert re.search(r"precision \d+%, recall \d+% at threshold 0.9", out)


# --------------------------------------------------------------------------------------
# The admin
# --------------------------------------------------------------------------------------


def dutch_percent(share):
    return f"{round(share * 100)} %"


def test_a_moderator_reads_when_and_on_what_it_was_trained_and_how_often_it_was_right(
    trained_on_labelled_set, moderator
):
    state = trained_on_labelled_set
    response = moderator.get(STATE_ADMIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "451 besluiten: 270 goedgekeurd, 181 spam" in html
    assert "Getest op 113 van de eigen eerdere besluiten van de moderatoren" in html
    assert (
        f"Van de reacties die het filter spam noemde, was {dutch_percent(state.precision)} "
        f"echt spam (precisie); van de echte spam ving het {dutch_percent(state.recall)} "
        "(recall)."
    ) in html


def test_before_training_the_admin_says_what_the_filter_needs(moderator):
    html = moderator.get(STATE_ADMIN).content.decode()
    assert "Nog niet getraind" in html


def test_a_moderator_retrains_the_filter_from_the_admin(trained_on_made_set, moderator):
    before = SpamFilterState.objects.get().trained_at
    response = moderator.post(
        STATE_ADMIN,
        {"action": "retrain_now", "_selected_action": [SpamFilterState.SINGLETON]},
        follow=True,
    )
    assert response.status_code == 200
    assert SpamFilterState.objects.get().trained_at > before
    assert "Getest op" in response.content.decode()


def test_nobody_edits_or_deletes_the_state(moderator):
    change = reverse("admin:moderation_spamfilterstate_change", args=[SpamFilterState.SINGLETON])
    assert moderator.get(change).status_code == 200
    html = moderator.get(change).content.decode()
    assert 'type="submit" value="Opslaan"' not in html
    delete = reverse("admin:moderation_spamfilterstate_delete", args=[SpamFilterState.SINGLETON])
    assert moderator.get(delete).status_code == 403
