# Addresses stored before they were kept in one form (lower case, the domain in IDNA's
# ASCII form) are written that way too, so that every per-address rule (subscriptions,
# a reader's data and its erasure) finds them. Two subscriptions that turn out to be the
# same address for the same article become one: the confirmed one is kept.
import contextlib

import idna
from django.db import migrations


def one_form(email):
    # A copy of comments.models.normalise_email as it was when this was written.
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return email.strip().lower()
    with contextlib.suppress(idna.IDNAError, UnicodeError):
        domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    return f"{local}@{domain}".lower()


def write_in_one_form(apps, schema_editor):
    Subscription = apps.get_model("comments", "Subscription")
    Comment = apps.get_model("comments", "Comment")
    OutgoingMail = apps.get_model("mail", "OutgoingMail")
    for subscription in Subscription.objects.order_by("-confirmed_at", "pk").iterator():
        address = one_form(subscription.email)
        if address == subscription.email:
            continue
        twin = Subscription.objects.filter(email=address, article_id=subscription.article_id)
        keep = twin.first()
        if keep is None:
            Subscription.objects.filter(pk=subscription.pk).update(email=address)
        elif keep.confirmed_at is None and subscription.confirmed_at is not None:
            keep.delete()
            Subscription.objects.filter(pk=subscription.pk).update(email=address)
        else:
            subscription.delete()
    for model, field in ((Comment, "user_email"), (OutgoingMail, "to")):
        rows = model.objects.exclude(**{field: ""}).values_list("pk", field)
        for pk, address in rows.iterator():
            if one_form(address) != address:
                model.objects.filter(pk=pk).update(**{field: one_form(address)})


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0009_outbox_and_newsletter_sends_move_out"),
        ("mail", "0003_worker_heartbeat"),
    ]

    operations = [migrations.RunPython(write_in_one_form, migrations.RunPython.noop)]
