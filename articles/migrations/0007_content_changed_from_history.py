"""Each existing article's last content change, from what is known of its history.

Adding the field set every row to the time the migration ran. The best record of an
editor's last change before this release is the admin's log; an article nobody changed in
the admin since (the seed article, loaded by a migration) changed last when it was
published. A change made before publication counts as of the publication.
"""

from django.db import migrations
from django.db.models import Max


def set_content_changed_from_history(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    LogEntry = apps.get_model("admin", "LogEntry")
    last_edits = dict(
        LogEntry.objects.filter(
            content_type__app_label="articles", content_type__model="article"
        )
        .values_list("object_id")
        .annotate(last=Max("action_time"))
    )
    for article in Article.objects.only("pk", "published_at"):
        last_edit = last_edits.get(str(article.pk))
        changed_at = max(article.published_at, last_edit) if last_edit else article.published_at
        Article.objects.filter(pk=article.pk).update(content_changed_at=changed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_former_slugs_and_content_changed"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(set_content_changed_from_history, migrations.RunPython.noop),
    ]
