"""Upgrading a database from the previous release: the comments app's outbox and newsletter
sends move to mail/ and newsletter/ with every row, and the site works on what they become.

Each test migrates the test database back to the previous release's schema, stores rows
the way that release did (with the models as its migrations left them), migrates forward
and reads the rows with today's models and code. The database is left at the latest
migrations whatever happens, so the tests after these find the schema they expect.
"""

import contextlib
import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail as django_mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import resolve, reverse
from django.utils import timezone, translation

from articles.models import Article
from comments import links
from comments.models import Comment, Subscription
from mail.delivery import message_for, send_due_mail
from mail.models import OutgoingMail
from mail.outbox import queue_mail
from newsletter.models import NewsletterSend
from newsletter.sending import sendable

SEED_SLUG = "drie-tips-voor-social-mediarichtlijnen"
# The previous release's last migration, and the one before its record of past sends.
PREVIOUS_RELEASE = ("comments", "0008_outbox_address_index_and_past_newsletter_sends")
BEFORE_PAST_SENDS = ("comments", "0007_newsletter_send")
REFERENCES = ["comment", "subscription", "article"]
MANY_READERS = 2100
MOVED_MODELS = {"outgoingmail": "mail", "newslettersend": "newsletter"}

# Each test restores the seed article and its comments, which a flush would have removed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def targets_undoing_all_after(node):
    """Migration targets that unapply everything built on `node`, in its app and in others."""
    graph = MigrationExecutor(connection).loader.graph
    later = set(graph.backwards_plan(node)) - {node}
    targets = [node]
    for app in sorted({app for app, _ in later} - {node[0]}):
        kept = [key for key in graph.nodes if key[0] == app and key not in later]
        if kept:
            targets.append(max(kept, key=lambda key: len(graph.forwards_plan(key))))
        else:
            targets.append((app, None))
    return targets


def migrate(targets=None):
    """Migrate to `targets` (the latest migrations by default); the models of that state."""
    executor = MigrationExecutor(connection)
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    ContentType.objects.clear_cache()
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


@contextlib.contextmanager
def database_at(node):
    """The historical models with the database migrated back to `node`; latest afterwards."""
    try:
        yield migrate(targets_undoing_all_after(node))
    finally:
        migrate()


def rows(model):
    return {row["id"]: row for row in model.objects.values()}


def expected_outbox_row(old):
    """An outbox row as the previous release stored it, as it must read after the upgrade."""
    row = {name: value for name, value in old.items() if name[:-3] not in REFERENCES}
    row["params"] = {name: old[f"{name}_id"] for name in REFERENCES if old[f"{name}_id"]}
    return row


def store_previous_release_rows(apps):
    """Comments, subscriptions, outbox rows of every old kind and a newsletter send, stored
    with the previous release's models; returns what the test needs to find them again."""
    OldArticle = apps.get_model("articles", "Article")
    OldComment = apps.get_model("comments", "Comment")
    OldSubscription = apps.get_model("comments", "Subscription")
    OldMail = apps.get_model("comments", "OutgoingMail")
    OldSend = apps.get_model("comments", "NewsletterSend")
    OldContentType = apps.get_model("contenttypes", "ContentType")
    OldPermission = apps.get_model("auth", "Permission")
    OldLogEntry = apps.get_model("admin", "LogEntry")
    OldUser = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    now = timezone.now()

    article = OldArticle.objects.get(slug=SEED_SLUG)
    article_type = OldContentType.objects.get(app_label="articles", model="article")
    on_article = OldComment.objects.filter(content_type=article_type, object_pk=str(article.pk))
    assert on_article.count() == 5, "the seed comments come from the data migration"

    def add_comment(name, text, parent=None, **fields):
        comment = OldComment.objects.create(
            content_type=article_type,
            object_pk=str(article.pk),
            site_id=settings.SITE_ID,
            user_name=name,
            user_email=f"{name.split()[0].lower()}@example.nl",
            comment=text,
            comment_html=f"<p>{text}</p>",
            submit_date=now,
            is_public=True,
            level=parent.level + 1 if parent else 0,
            order=parent.order + 1 if parent else 1,
            notifications_queued_at=now,
            **fields,
        )
        comment.thread_id = parent.thread_id if parent else comment.pk
        comment.parent_id = parent.pk if parent else comment.pk
        comment.save(update_fields=["thread_id", "parent_id"])
        return comment

    question = add_comment("Petra de Vries", "Geldt dit ook voor zzp'ers?", followup=True)
    answer = add_comment(
        "Jorie Post", "Ja, ook dan.", parent=question, badge="author", submission_key="k1"
    )
    OldComment.objects.filter(pk=question.pk).update(nested_count=1)

    def subscribe(email, article=None, confirmed=True, **fields):
        return OldSubscription.objects.create(
            email=email,
            article=article,
            confirmed_at=now if confirmed else None,
            confirmation_sent_at=now - datetime.timedelta(hours=2),
            **fields,
        )

    follower = subscribe("petra@example.nl", article, scope="replies", language="en")
    unconfirmed = subscribe("nieuw@example.nl", article, confirmed=False)
    reader = subscribe("petra@example.nl", language="en")
    second_reader = subscribe("tweede@example.nl")
    signing_up = subscribe("aanmelder@example.nl", confirmed=False, language="en")

    def queue(key, kind, to, **fields):
        return OldMail.objects.create(key=key, kind=kind, to=to, **fields)

    sent = {"status": "sent", "attempts": 1, "sent_at": now}
    mails = {
        "discussion_confirmation": queue(
            f"confirmation:{unconfirmed.pk}:1", "confirmation", unconfirmed.email,
            subscription=unconfirmed,
        ),
        "newsletter_confirmation": queue(
            f"confirmation:{signing_up.pk}:1", "confirmation", signing_up.email,
            subscription=signing_up, language="en", attempts=1,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        ),
        "sent_discussion_confirmation": queue(
            f"confirmation:{follower.pk}:1", "confirmation", follower.email,
            subscription=follower, language="en", **sent,
        ),
        "sent_newsletter_confirmation": queue(
            f"confirmation:{reader.pk}:1", "confirmation", reader.email,
            subscription=reader, language="en", **sent,
        ),
        "notification": queue(
            f"notification:{answer.pk}:{follower.email}", "notification", follower.email,
            comment=answer, subscription=follower, language="en", attempts=2,
            last_error="SMTPRecipientsRefused: try again later",
            # A crashed worker's lease, long over: the mail is due again.
            claimed_until=now - datetime.timedelta(minutes=5),
        ),
        "moderation": queue(
            f"moderation:{question.pk}:redactie@example.nl", "moderation", "redactie@example.nl",
            comment=question, status="failed", attempts=9,
            last_error="SMTPAuthenticationError: (535, 'authentication failed')",
        ),
        "sent_newsletter": queue(
            f"newsletter:{article.pk}:{reader.email}", "newsletter", reader.email,
            subscription=reader, article=article, language="en", **sent,
        ),
        "newsletter": queue(
            f"newsletter:{article.pk}:{second_reader.email}", "newsletter", second_reader.email,
            subscription=second_reader, article=article,
        ),
        "data_export": queue(
            "data_export:petra@example.nl:1", "data_export", "petra@example.nl", language="en"
        ),
    }  # fmt: skip
    # A past newsletter to many readers: more rows than the upgrade reads at a time.
    OldMail.objects.bulk_create(
        OldMail(
            key=f"newsletter:{article.pk}:lezer{n}@example.nl",
            kind="newsletter",
            to=f"lezer{n}@example.nl",
            article=article,
            **sent,
        )
        for n in range(MANY_READERS)
    )

    editor = OldUser.objects.create(username="redacteur", email="redacteur@example.nl")
    later_article = OldArticle.objects.create(
        title="Nog een artikel",
        slug="nog-een-artikel",
        status="published",
        published_at=now - datetime.timedelta(days=1),
        lead="Inleiding.",
        body="Tekst.",
        author_name="Redactie",
    )
    sends = {
        "done": OldSend.objects.create(
            article=article,
            requested_at=now,
            requested_by=editor,
            queued_at=now,
            recipients=2 + MANY_READERS,
        ),
        # Asked for, not yet fanned out by the worker.
        "unfinished": OldSend.objects.create(article=later_article, requested_at=now),
    }

    # The test database may not have the old content types at this state: make sure.
    types = {
        model: OldContentType.objects.get_or_create(app_label="comments", model=model)[0]
        for model in MOVED_MODELS
    }
    permissions = [
        OldPermission.objects.get_or_create(
            content_type=types["outgoingmail"],
            codename="view_outgoingmail",
            defaults={"name": "Can view outgoing e-mail"},
        )[0],
        OldPermission.objects.get_or_create(
            content_type=types["newslettersend"],
            codename="change_newslettersend",
            defaults={"name": "Can change newsletter send"},
        )[0],
    ]
    editor.user_permissions.set(permissions)
    OldLogEntry.objects.create(
        user=editor,
        content_type=types["outgoingmail"],
        object_id=str(mails["moderation"].pk),
        object_repr="moderator notice → redactie@example.nl",
        action_flag=CHANGE,
        change_message="[]",
        action_time=now,
    )
    return {
        "article": article,
        "later_article": later_article,
        "comments": (question, answer),
        "subscriptions": {
            "follower": follower,
            "unconfirmed": unconfirmed,
            "reader": reader,
            "second_reader": second_reader,
            "signing_up": signing_up,
        },
        "mails": mails,
        "sends": sends,
        "editor": editor,
        "types": {model: content_type.pk for model, content_type in types.items()},
        "permissions": {permission.pk for permission in permissions},
    }


def snapshot(apps):
    """Every row the upgrade must keep, as the previous release's models read them."""
    return {
        "comments": rows(apps.get_model("comments", "Comment")),
        "subscriptions": rows(apps.get_model("comments", "Subscription")),
        "mails": rows(apps.get_model("comments", "OutgoingMail")),
        "sends": rows(apps.get_model("comments", "NewsletterSend")),
    }


def link_tokens(message):
    """{view name: what its token carries} for the links with a token in a mail's text."""
    found = {}
    with translation.override(message.extra_headers["Content-Language"]):
        for url in re.findall(re.escape(settings.SITE_URL) + r"/[^\s<>\"]*", message.body):
            match = resolve(urlsplit(url).path)
            if "token" in match.kwargs:
                found[match.view_name] = read_token(match.kwargs["token"])
    return found


def read_token(token):
    for purpose in (links.CONFIRM, links.UNSUBSCRIBE, links.MANAGE, links.PRIVACY):
        with contextlib.suppress(links.InvalidLink):
            return links.read_token(purpose, token)
    raise AssertionError(f"a token for no purpose: {token}")


def assert_upgraded(before, stored):
    """The rows read with today's models are the previous release's, moved and renamed."""
    # Fields added since that release, at their defaults.
    new_comment_fields = {
        "hold_reasons": [],
        "spam_score": None,
        "language": "nl",
        "in_reply_to_id": None,
        "recommend_count": 0,
        "is_pick": False,
        "edited_at": None,
    }
    assert rows(Comment) == {
        pk: {**row, **new_comment_fields} for pk, row in before["comments"].items()
    }
    assert rows(Subscription) == before["subscriptions"]
    assert rows(NewsletterSend) == before["sends"]

    mails = stored["mails"]
    expected = {pk: expected_outbox_row(old) for pk, old in before["mails"].items()}
    expected[mails["newsletter_confirmation"].pk]["kind"] = "newsletter_confirmation"
    expected[mails["sent_newsletter_confirmation"].pk]["kind"] = "newsletter_confirmation"
    assert rows(OutgoingMail) == expected

    for model, app_label in MOVED_MODELS.items():
        content_type = ContentType.objects.get(pk=stored["types"][model])
        assert (content_type.app_label, content_type.model) == (app_label, model)
        assert not ContentType.objects.filter(app_label="comments", model=model).exists()
    assert ContentType.objects.get_for_model(OutgoingMail).pk == stored["types"]["outgoingmail"]
    assert ContentType.objects.get_for_model(NewsletterSend).pk == stored["types"]["newslettersend"]
    assert set(Permission.objects.values_list("pk", flat=True)) >= stored["permissions"]


def test_an_upgraded_database_keeps_every_comment_subscription_mail_and_send_and_works():
    with database_at(PREVIOUS_RELEASE) as old:
        stored = store_previous_release_rows(old)
        before = snapshot(old)
        migrate()

        assert_upgraded(before, stored)
        mails = {name: OutgoingMail.objects.get(pk=row.pk) for name, row in stored["mails"].items()}
        question, answer = stored["comments"]
        follower = stored["subscriptions"]["follower"]
        second_reader = stored["subscriptions"]["second_reader"]
        assert mails["discussion_confirmation"].kind == "confirmation"
        assert mails["newsletter_confirmation"].kind == "newsletter_confirmation"
        assert mails["notification"].params == {"comment": answer.pk, "subscription": follower.pk}
        assert mails["moderation"].params == {"comment": question.pk}
        assert mails["newsletter"].params == {
            "subscription": second_reader.pk,
            "article": stored["article"].pk,
        }
        assert mails["data_export"].params == {}
        assert OutgoingMail.objects.filter(params__article=stored["article"].pk).count() == (
            2 + MANY_READERS
        )
        assert list(OutgoingMail.objects.filter(params__comment=answer.pk)) == [
            mails["notification"]
        ]

        # The site's code on the moved rows: staff keep their permissions, the admin's
        # history finds the mail it is about.
        editor = get_user_model().objects.get(pk=stored["editor"].pk)
        assert editor.has_perm("mail.view_outgoingmail")
        assert editor.has_perm("newsletter.change_newslettersend")
        entry = LogEntry.objects.get(user=editor)
        assert entry.get_edited_object() == mails["moderation"]
        assert entry.get_admin_url() == reverse(
            "admin:mail_outgoingmail_change", args=[mails["moderation"].pk]
        )

        # Every mail, of every old kind, is written from its params, to the right reader.
        messages = {}
        for name, row in mails.items():
            message, reason = message_for(row)
            assert (reason, message.to) == ("", [row.to]), name
            messages[name] = message
        tokens = {name: link_tokens(message) for name, message in messages.items()}
        subscriptions = {
            name: {"s": subscription.pk, "e": subscription.email}
            for name, subscription in stored["subscriptions"].items()
        }
        assert (
            tokens["discussion_confirmation"]["comments:subscription-confirm"]
            == (subscriptions["unconfirmed"])
        )
        assert (
            tokens["newsletter_confirmation"]["newsletter:confirm"] == (subscriptions["signing_up"])
        )
        assert (
            tokens["notification"]["comments:subscription-unsubscribe"]
            == (subscriptions["follower"])
        )
        assert f"/reacties/{answer.pk}/" in messages["notification"].body  # its permalink
        assert reverse("admin:comments_comment_change", args=[question.pk]) in (
            messages["moderation"].body
        )
        assert tokens["newsletter"]["newsletter:unsubscribe"] == subscriptions["second_reader"]
        assert tokens["data_export"]["privacy:data"] == {"e": "petra@example.nl"}

        # An article that went out before the upgrade is never sent again; one still
        # being sent may be asked again.
        article, later_article = stored["article"], stored["later_article"]
        ok, refused = sendable(Article.objects.filter(pk__in=[article.pk, later_article.pk]))
        assert [a.pk for a in ok] == [later_article.pk]
        assert [a.pk for a, _reason in refused] == [article.pk]

        # New rows take ids after the old ones (the tables were renamed, not copied).
        assert queue_mail(key="new", kind="data_export", to="nieuw@example.nl", language="nl")
        assert OutgoingMail.objects.get(key="new").pk > max(before["mails"])
        newer = Article.objects.create(
            title="Na de upgrade", slug="na-de-upgrade", lead="-", body="-", author_name="-"
        )
        send = NewsletterSend.objects.create(article=newer, requested_at=timezone.now())
        assert send.pk > max(before["sends"])
        OutgoingMail.objects.filter(key="new").delete()

        # The worker sends what was waiting, and only that.
        waiting = {mail.pk: mail.to for mail in mails.values() if mail.status == "pending"}
        assert send_due_mail() == len(waiting) == 5
        assert sorted(message.to[0] for message in django_mail.outbox) == sorted(waiting.values())
        assert OutgoingMail.objects.filter(pk__in=waiting, status="sent").count() == len(waiting)


def test_downgrading_and_upgrading_again_keeps_every_row():
    with database_at(PREVIOUS_RELEASE) as old:
        stored = store_previous_release_rows(old)
        before = snapshot(old)
        migrate()
        assert_upgraded(before, stored)

        # Back to the previous release: foreign keys, kinds and content types as they were.
        old = migrate(targets_undoing_all_after(PREVIOUS_RELEASE))
        assert snapshot(old) == before
        OldContentType = old.get_model("contenttypes", "ContentType")
        for model, pk in stored["types"].items():
            assert OldContentType.objects.filter(pk=pk, app_label="comments", model=model).exists()

        migrate()
        assert_upgraded(before, stored)


def test_articles_sent_before_sends_were_recorded_count_as_sent():
    with database_at(BEFORE_PAST_SENDS) as old:
        OldArticle = old.get_model("articles", "Article")
        OldMail = old.get_model("comments", "OutgoingMail")
        OldSend = old.get_model("comments", "NewsletterSend")
        article = OldArticle.objects.get(slug=SEED_SLUG)
        recorded = OldArticle.objects.create(
            title="Al vastgelegd",
            slug="al-vastgelegd",
            status="published",
            published_at=timezone.now() - datetime.timedelta(days=2),
            lead="Inleiding.",
            body="Tekst.",
            author_name="Redactie",
        )
        created = []
        for n in range(3):
            row = OldMail.objects.create(
                key=f"newsletter:{article.pk}:{n}@example.nl",
                kind="newsletter",
                to=f"{n}@example.nl",
                article=article,
                status="sent",
            )
            created.append(row.created_at)
        OldMail.objects.create(
            key=f"newsletter:{recorded.pk}:0@example.nl",
            kind="newsletter",
            to="0@example.nl",
            article=recorded,
        )
        requested = timezone.now() - datetime.timedelta(days=1)
        OldSend.objects.create(article=recorded, requested_at=requested, recipients=7)
        migrate()

        send = NewsletterSend.objects.get(article_id=article.pk)
        assert send.recipients == 3
        assert (send.requested_at, send.queued_at) == (min(created), max(created))
        assert send.requested_by is None
        # A send recorded by the previous release is left as it was.
        kept = NewsletterSend.objects.get(article_id=recorded.pk)
        assert (kept.requested_at, kept.queued_at, kept.recipients) == (requested, None, 7)
        assert NewsletterSend.objects.count() == 2
        params = list(
            OutgoingMail.objects.filter(kind="newsletter").values_list("params", flat=True)
        )
        assert params.count({"article": article.pk}) == 3
        assert params.count({"article": recorded.pk}) == 1

        ok, refused = sendable(Article.objects.filter(pk=article.pk))
        assert ok == []
        assert [a.pk for a, _reason in refused] == [article.pk]


def test_addresses_stored_before_are_written_in_one_form(seed_article):
    """Migration comments 0010: old rows get the form every per-address rule looks for,
    and two subscriptions of one address for one article become the confirmed one."""
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    from comments.models import Comment, Subscription
    from mail.models import OutgoingMail

    unconfirmed = Subscription.objects.create(email="lezer@voorbeeld.nl", article=seed_article)
    confirmed = Subscription.objects.create(
        email="LEZER@Voorbeeld.NL", article=seed_article, confirmed_at=timezone.now()
    )
    newsletter = Subscription.objects.create(email="Lezer@Bücher.de", article=None)
    comment = Comment.objects.for_article(seed_article).first()
    Comment.objects.filter(pk=comment.pk).update(user_email="Petra@VOORBEELD.nl")
    mail = OutgoingMail.objects.create(key="k", kind="data_export", to="Lezer@Bücher.de")

    migration = import_module("comments.migrations.0010_addresses_in_one_form")
    migration.write_in_one_form(apps, None)

    assert not Subscription.objects.filter(pk=unconfirmed.pk).exists()
    assert Subscription.objects.get(pk=confirmed.pk).email == "lezer@voorbeeld.nl"
    assert Subscription.objects.get(pk=newsletter.pk).email == "lezer@xn--bcher-kva.de"
    assert Comment.objects.get(pk=comment.pk).user_email == "petra@voorbeeld.nl"
    assert OutgoingMail.objects.get(pk=mail.pk).to == "lezer@xn--bcher-kva.de"
