"""Index the articles that exist already (the seed article among them)."""

from django.db import migrations


def index_articles(apps, schema_editor):
    # Historical models send no signals the app listens to: index with the same
    # functions the app uses.
    from search.full_text import update_vectors
    from search.plain_text import document_fields

    db = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    SearchDocument = apps.get_model("search", "SearchDocument")
    for article in Article.objects.using(db).prefetch_related("tips").iterator(chunk_size=200):
        tips = sorted(article.tips.all(), key=lambda tip: tip.position)
        SearchDocument.objects.using(db).update_or_create(
            article=article,
            defaults=document_fields(
                title=article.title,
                lead=article.lead,
                body_html=article.body_html,
                tip_texts=[tip.text for tip in tips],
            ),
        )
    update_vectors(SearchDocument.objects.using(db).all())


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(index_articles, migrations.RunPython.noop)]
