# The outbox gets a table of its own and knows no other app: what a mail is about
# (a comment, a subscription, an article) moves from foreign keys into `params`,
# read by the kind of mail that the app which queued it registered. Every row is kept.
from django.db import migrations, models

REFERENCES = ["comment", "subscription", "article"]


def references_to_params(apps, schema_editor):
    OutgoingMail = apps.get_model("mail", "OutgoingMail")
    Subscription = apps.get_model("comments", "Subscription")
    newsletter_subscriptions = set(
        Subscription.objects.filter(article__isnull=True).values_list("pk", flat=True)
    )
    rows = OutgoingMail.objects.only("pk", "kind", *(f"{name}_id" for name in REFERENCES))
    changed = []
    for mail in rows.iterator(chunk_size=2000):
        mail.params = {
            name: getattr(mail, f"{name}_id")
            for name in REFERENCES
            if getattr(mail, f"{name}_id") is not None
        }
        # The newsletter's confirmation is a kind of its own now (newsletter/).
        if mail.kind == "confirmation" and mail.subscription_id in newsletter_subscriptions:
            mail.kind = "newsletter_confirmation"
        changed.append(mail)
        if len(changed) >= 2000:
            OutgoingMail.objects.bulk_update(changed, ["params", "kind"])
            changed = []
    OutgoingMail.objects.bulk_update(changed, ["params", "kind"])


def params_to_references(apps, schema_editor):
    OutgoingMail = apps.get_model("mail", "OutgoingMail")
    Comment = apps.get_model("comments", "Comment")
    Subscription = apps.get_model("comments", "Subscription")
    Article = apps.get_model("articles", "Article")
    existing = {
        "comment": set(Comment.objects.values_list("pk", flat=True)),
        "subscription": set(Subscription.objects.values_list("pk", flat=True)),
        "article": set(Article.objects.values_list("pk", flat=True)),
    }
    fields = ["kind", *(f"{name}_id" for name in REFERENCES)]
    changed = []
    for mail in OutgoingMail.objects.iterator(chunk_size=2000):
        for name in REFERENCES:
            value = mail.params.get(name)
            setattr(mail, f"{name}_id", value if value in existing[name] else None)
        if mail.kind == "newsletter_confirmation":
            mail.kind = "confirmation"
        changed.append(mail)
        if len(changed) >= 2000:
            OutgoingMail.objects.bulk_update(changed, fields)
            changed = []
    OutgoingMail.objects.bulk_update(changed, fields)


def rename_content_type(apps, schema_editor, old="comments", new="mail"):
    """The model's content type follows it, keeping its id, permissions and admin history.

    One made for the new app meanwhile (a partial migrate runs post_migrate) holds only
    permissions created with it: it gives way to the old one.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    moving = types.filter(app_label=old, model="outgoingmail")
    if moving.exists():
        types.filter(app_label=new, model="outgoingmail").delete()
        moving.update(app_label=new)


def restore_content_type(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="mail", new="comments")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mail", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="outgoingmail", table=None),
        migrations.RenameIndex(
            model_name="outgoingmail",
            new_name="mail_status_due_idx",
            old_name="comments_ou_status_96e66c_idx",
        ),
        migrations.RenameIndex(
            model_name="outgoingmail", new_name="mail_to_idx", old_name="comments_ou_to_f47aaf_idx"
        ),
        migrations.AddField(
            model_name="outgoingmail",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.AlterField(
            model_name="outgoingmail",
            name="kind",
            field=models.CharField(max_length=30, verbose_name="kind"),
        ),
        migrations.RunPython(references_to_params, params_to_references),
        migrations.RemoveField(model_name="outgoingmail", name="comment"),
        migrations.RemoveField(model_name="outgoingmail", name="subscription"),
        migrations.RemoveField(model_name="outgoingmail", name="article"),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
