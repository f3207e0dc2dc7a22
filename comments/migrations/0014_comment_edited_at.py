from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0013_in_reply_to"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="edited_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="edited"
            ),
        ),
    ]
