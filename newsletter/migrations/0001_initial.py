# Newsletter sends move from the comments app: Django's state first (the table and its
# rows stay), then the table takes this app's name and the content type follows.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor, old="comments", new="newsletter"):
    """The model's content type follows it, keeping its id, permissions and admin history.

    One made for the new app meanwhile (a partial migrate runs post_migrate) holds only
    permissions created with it: it gives way to the old one.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    moving = types.filter(app_label=old, model="newslettersend")
    if moving.exists():
        types.filter(app_label=new, model="newslettersend").delete()
        moving.update(app_label=new)


def restore_content_type(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="newsletter", new="comments")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0002_seed_article"),
        ("comments", "0008_outbox_address_index_and_past_newsletter_sends"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="NewsletterSend",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("requested_at", models.DateTimeField(verbose_name="requested")),
                        ("queued_at", models.DateTimeField(blank=True, null=True, verbose_name="queued")),
                        ("recipients", models.PositiveIntegerField(default=0, verbose_name="recipients")),
                        ("article", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="newsletter_send", to="articles.article", verbose_name="article")),
                        ("requested_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="requested by")),
                    ],
                    options={
                        "verbose_name": "newsletter send",
                        "verbose_name_plural": "newsletter sends",
                        "db_table": "comments_newslettersend",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="newslettersend", table=None),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
