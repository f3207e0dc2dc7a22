"""The seed article's five comments, with the original times (Europe/Amsterdam).

Sonja's text did not survive in the source: her comment keeps its name and time
and shows as removed. The target of Wilco's "(Klik hier)" link was lost too; it
points to a search for the policy generator he wrote about.
"""

import datetime
import zoneinfo

from django.db import migrations

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
ARTICLE_SLUG = "drie-tips-voor-social-mediarichtlijnen"

LAILA = (
    "Leuk artikel! Helemaal mee eens. Ter aanvulling;Op internet zijn veel goede "
    "richtlijnen/gedragscodes te vinden die als inspiratie gebruikt kunnen worden.\n"
    "Vanwege het controle-aspect voor de werkgever is wel instemming van de "
    "Ondernemingsraad nodig(als die er is)om een Social Media gedragscode in te voeren. "
    "Net zoals bij regels voor e-mail en internetgebruik."
)
JORIE = "Bedankt voor deze toevoeging Laila, zeker waardevol!"
WILCO = (
    "Leuke posting, ik heb nog een korte aanvulling.\n\n"
    "Tijdens veel van onze social media trainingen kregen we vragen over het ontbreken van "
    "de een policy. Onze opmerkingen dat het allemaal niet zo heel ingewikkeld is, kreeg wel "
    "gehoor, maar was voor vele nog niet echt het antwoord.\n"
    "Gebruik je gezond verstand, verwijs naar al bestaande afspraken (als in je "
    "arbeidsovereenkomst als staat dat je geen bedrijfgeheimen mag delen en niet mag praten "
    "over je klanten zonder hun toestemming, geldt dat ook op social media, etc.). Maar toch "
    "bleven mensen worstelen met zo'n policy. Vandaar dat we een generator hebben gemaakt om "
    "daarbij te helpen.\n\n"
    "Beantwoord 5 vragen, vul je mail adres in en je ontvangt per ommegaande je eigen policy. "
    "Die je mag aanpassen, indikken, uitdunnen en gratis mag gebruiken. Formeel met een "
    "verwijzing naar ons, maar nog belangrijker het is ''feedbackware''. Dus laat weten dat "
    "je hem gebruikt, maar vooral wat je ervan vindt en wat we kunnen verbeteren.. Alvast "
    "bedankt!"
)
WILCO_REPLY = (
    "De rechtstreekse URL is:\n"
    '<a href="https://duckduckgo.com/?q=social+media+policy+generator">(Klik hier)</a>'
)


def at(day, month, hour, minute):
    return datetime.datetime(2012, month, day, hour, minute, tzinfo=AMSTERDAM)


def load_seed_comments(apps, schema_editor):
    from django.conf import settings

    from comments.rendering import render_comment_html

    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Site = apps.get_model("sites", "Site")

    article = Article.objects.filter(slug=ARTICLE_SLUG).first()
    if article is None:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="articles", model="article")
    site, _ = Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": settings.SITE_NAME}
    )
    if Comment.objects.filter(content_type=content_type, object_pk=str(article.pk)).exists():
        return

    def add(name, text, submitted, parent=None, badge=""):
        comment = Comment.objects.create(
            content_type=content_type,
            object_pk=str(article.pk),
            site=site,
            user_name=name,
            comment=text,
            comment_html=render_comment_html(text),
            submit_date=submitted,
            is_public=True,
            badge=badge,
            level=parent.level + 1 if parent else 0,
            order=parent.order + 1 if parent else 1,
        )
        comment.thread_id = parent.thread_id if parent else comment.pk
        comment.parent_id = parent.pk if parent else comment.pk
        comment.save(update_fields=["thread_id", "parent_id"])
        if parent:
            Comment.objects.filter(pk=parent.pk).update(nested_count=parent.nested_count + 1)
        return comment

    add("Sonja", "", at(10, 5, 10, 48))
    laila = add("Laila Simonis", LAILA, at(10, 5, 11, 48))
    add("Jorie Post", JORIE, at(10, 5, 12, 48), parent=laila, badge="author")
    wilco = add("Wilco Verdoold", WILCO, at(14, 5, 19, 19))
    add("Wilco Verdoold", WILCO_REPLY, at(15, 5, 18, 57), parent=wilco)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_seed_article"),
        ("sites", "0002_alter_domain_unique"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load_seed_comments, migrations.RunPython.noop)]
