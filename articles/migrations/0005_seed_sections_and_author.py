"""The site's four sections, and the seed article's author as a person with a page.

The seed article ("Drie tips voor social mediarichtlijnen") goes in Ondernemen: it tells
employers how to set rules for their staff's use of social media and how to avoid a
labour conflict, which is running a business, not marketing one.
"""

from django.db import migrations

SEED_SLUG = "drie-tips-voor-social-mediarichtlijnen"

SECTIONS = [
    ("Nieuws", "nieuws", "Het laatste nieuws voor ondernemers."),
    (
        "Ondernemen",
        "ondernemen",
        "Een bedrijf starten, leiden en laten groeien: personeel, regels en de praktijk.",
    ),
    ("Financiën", "financien", "Geld, belastingen, financiering en de administratie."),
    ("Marketing", "marketing", "Klanten vinden en houden: online, social media en pr."),
]
SEED_SECTION = "ondernemen"
SEED_TAGS = [("social media", "social-media"), ("personeelsbeleid", "personeelsbeleid")]
AUTHOR_SLUG = "jorie-post"


def seed_sections_and_author(apps, schema_editor):
    Section = apps.get_model("articles", "Section")
    Author = apps.get_model("articles", "Author")
    Article = apps.get_model("articles", "Article")
    Tag = apps.get_model("taggit", "Tag")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    ContentType = apps.get_model("contenttypes", "ContentType")

    sections = {}
    for position, (name, slug, description) in enumerate(SECTIONS, start=1):
        sections[slug], _created = Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "description": description}
        )
    article = Article.objects.filter(slug=SEED_SLUG).first()
    if article is None:
        return
    author, _created = Author.objects.get_or_create(
        slug=AUTHOR_SLUG,
        defaults={
            "name": article.author_name,
            "role": article.author_role,
            "biography": f"{article.author_name} is {article.author_role}.",
            "user_id": article.author_user_id,
        },
    )
    Article.objects.filter(pk=article.pk).update(author=author, section=sections[SEED_SECTION])
    article_type, _created = ContentType.objects.get_or_create(
        app_label="articles", model="article"
    )
    for name, slug in SEED_TAGS:
        tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        TaggedItem.objects.get_or_create(
            tag=tag, content_type=article_type, object_id=article.pk
        )


def remove_sections_and_author(apps, schema_editor):
    Section = apps.get_model("articles", "Section")
    Author = apps.get_model("articles", "Author")
    Article = apps.get_model("articles", "Article")
    Tag = apps.get_model("taggit", "Tag")
    TaggedItem = apps.get_model("taggit", "TaggedItem")

    article = Article.objects.filter(slug=SEED_SLUG).first()
    if article is not None:
        TaggedItem.objects.filter(
            content_type__app_label="articles",
            content_type__model="article",
            object_id=article.pk,
            tag__slug__in=[slug for _name, slug in SEED_TAGS],
        ).delete()
        Article.objects.filter(pk=article.pk).update(author=None, section=None)
    Tag.objects.filter(slug__in=[slug for _name, slug in SEED_TAGS], taggit_taggeditem_items=None).delete()
    Author.objects.filter(slug=AUTHOR_SLUG, articles=None).delete()
    Section.objects.filter(slug__in=[slug for _name, slug, _d in SECTIONS], articles=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_sections_authors_tags"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(seed_sections_and_author, remove_sections_and_author)]
