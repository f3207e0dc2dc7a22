"""The "Moderatoren" group: what a moderator needs, without being a superuser."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderatoren"
PERMISSIONS = {
    # Not delete_comment: a moderator rejects (logged, the writer told); deleting for
    # good is for administrators.
    "comments": ["view_comment", "change_comment"],
    "moderation": [
        "view_queuedcomment",
        "change_queuedcomment",
        "view_decision",
        "view_report",
        "view_ban",
        "add_ban",
        "change_ban",
        "view_wordrule",
        "add_wordrule",
        "change_wordrule",
        "delete_wordrule",
    ],
}


def create_group(apps, schema_editor):
    # Permissions are made after all migrations ran; this group needs them now.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # a migration's app stub has none; any value will do
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("comments", "0011_hold_reasons_and_spam_score"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
