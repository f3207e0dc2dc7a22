# The outbox now belongs to mail/, newsletter sends to newsletter/ (their migrations
# took over the tables and rows); the comments app only forgets the models.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0008_outbox_address_index_and_past_newsletter_sends"),
        ("mail", "0001_initial"),
        ("newsletter", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="OutgoingMail"),
                migrations.DeleteModel(name="NewsletterSend"),
            ],
        ),
    ]
