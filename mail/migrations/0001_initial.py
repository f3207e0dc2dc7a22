# The outbox moves from the comments app: its table and rows stay as they are
# (comments_outgoingmail), only Django's state learns that mail owns the model now.
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0002_seed_article"),
        ("comments", "0008_outbox_address_index_and_past_newsletter_sends"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingMail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=300, unique=True)),
                        ("kind", models.CharField(max_length=20, verbose_name="kind")),
                        ("to", models.EmailField(max_length=254, verbose_name="to")),
                        ("language", models.CharField(choices=[("nl", "Dutch"), ("en", "English")], default="nl", max_length=8, verbose_name="language")),
                        ("status", models.CharField(choices=[("pending", "waiting"), ("sent", "sent"), ("failed", "given up"), ("cancelled", "cancelled")], default="pending", max_length=10, verbose_name="status")),
                        ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="next attempt")),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                        ("comment", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="comments.comment", verbose_name="comment")),
                        ("subscription", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="comments.subscription", verbose_name="subscription")),
                        ("article", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="articles.article", verbose_name="article")),
                    ],
                    options={
                        "verbose_name": "outgoing e-mail",
                        "verbose_name_plural": "outgoing e-mails",
                        "ordering": ["-created_at"],
                        "db_table": "comments_outgoingmail",
                        "indexes": [
                            models.Index(fields=["status", "next_attempt_at"], name="comments_ou_status_96e66c_idx"),
                            models.Index(fields=["to"], name="comments_ou_to_f47aaf_idx"),
                        ],
                    },
                ),
            ],
        ),
    ]
