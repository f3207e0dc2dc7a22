from django.db import migrations, models
from django.db.models import Count, Max, Min


def record_past_sends(apps, schema_editor):
    """Articles sent before sends were recorded count as sent, so they never go out twice.

    The outbox rows that guard against a second mail are deleted after MAIL_HISTORY_DAYS.
    """
    OutgoingMail = apps.get_model("comments", "OutgoingMail")
    NewsletterSend = apps.get_model("comments", "NewsletterSend")
    recorded = set(NewsletterSend.objects.values_list("article_id", flat=True))
    past = (
        OutgoingMail.objects.filter(kind="newsletter", article__isnull=False)
        .values("article_id")
        .annotate(first=Min("created_at"), last=Max("created_at"), mails=Count("pk"))
    )
    NewsletterSend.objects.bulk_create(
        NewsletterSend(
            article_id=row["article_id"],
            requested_at=row["first"],
            queued_at=row["last"],
            recipients=row["mails"],
        )
        for row in past
        if row["article_id"] not in recorded
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_newsletter_send"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outgoingmail",
            index=models.Index(fields=["to"], name="comments_ou_to_f47aaf_idx"),
        ),
        migrations.RunPython(record_past_sends, migrations.RunPython.noop),
    ]
