"""The site's first article, word for word from the original page (shared/seed)."""

import datetime
import zoneinfo

from django.db import migrations

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

SLUG = "drie-tips-voor-social-mediarichtlijnen"

LEAD = (
    "Onlangs is de eerste Nederlander ontslagen omdat hij zich op Facebook negatief uitliet "
    "over zijn werkgever Blokker. Volgens Arag zal het in de toekomst steeds vaker gebeuren "
    "dat er conflicten op de werkvloer ontstaan door het gebruik van social media."
)

BODY = """\
Vanzelfsprekend is het niet prettig als uw personeel online negatieve uitlatingen doet, maar in hoeverre heeft u zeggenschap over welke boodschappen uw medewerkers verspreiden via hun eigen social mediakanalen? Jorie Post, Senior Account Executive bij LEWIS PR, gaat op dit vraagstuk in.

## Zakelijk versus privé

Met de komst van de diverse sociale kanalen zoals Twitter, Facebook en LinkedIn is het eenvoudiger dan ooit om een mening kenbaar te maken en die te verspreiden via verschillende kanalen. Tegelijkertijd is de grens tussen privé en zakelijk steeds vager geworden. Waar LinkedIn wordt gezien als een typisch zakelijk netwerk, is dat bijvoorbeeld bij Twitter (voor veel mensen toch vooral voor privéboodschappen bedoeld) al een stuk moeilijker aan te geven.

Een mogelijkheid om een duidelijke scheiding tussen een corporate en privé-account aan te geven, ligt bijvoorbeeld bij de keuze voor een accountnaam en het invullen van het profiel. Veronderstel dat de Blokker-medewerker Karel Fransen heet, dan doet een Twitternaam als Fransie\\_69 vermoeden dat hij op privétitel twittert, terwijl KarelFransen\\_Blokker aangeeft dat hij zijn account eerder zakelijk gebruikt. Als Karel in zijn Twitter-profiel aangeeft dat hij bij Blokker werkt, dan zullen zijn volgers zijn uitspraken in verband brengen met de leverancier van huishoudelijke artikelen. Het is daarom verstandig dit in overweging te nemen bij het aanmaken van een profiel.

## Social media-regels

Nederlandse organisaties worstelen met het opstellen van social media-regels voor hun werknemers, terwijl het in de Verenigde Staten best gebruikelijk is dat een werkgever toegang heeft tot de inloggegevens van social media-kanalen van personeel. Dit laatste gaat mij echt te ver, maar een beetje toezicht vanaf de zijlijn door de baas kan geen kwaad. Toch bleek uit een onderzoek van Manpower dat een overgroot deel van de bedrijven géén social media richtlijnen heeft. Hoewel u dus weldegelijk inspraak heeft op de online uitingen van uw personeel, getuige het Blokker-incident, weten uw medewerkers vaak niet waar ze officieel aan moet voldoen.

## Praktische tips

Omdat uw organisatie wellicht nog niet beschikt over een duidelijk beleid of social mediarichtlijnen, hieronder een aantal praktische tips over hoe u een dergelijk beleid in kunt richten:

[tips]

## Social media richtlijnen

Om ervoor te zorgen dat het doen van ongewenste uitlatingen zoveel mogelijk tot een minimum beperkt wordt, is het een goed idee om social mediarichtlijnen op te stellen. Dit geeft zowel werknemer als werkgever handvatten en schept duidelijkheid over wat wel en niet kan als het gaat om berichten die worden gedeeld via sociale kanalen. Maak ook duidelijke afspraken over social mediagebruik tijdens kantooruren, dit kan onenigheid en frustratie van beide kanten voorkomen. Zolang u zelf geen richtlijnen opstelt, heeft u geen grip op het gedrag van uw medewerkers en ligt een arbeidsconflict op de loer.
"""

TIPS = [
    "Geef aan hoe u denkt over het gebruik van social media tijdens kantooruren. Wilt u niet "
    "dat uw werknemers zich tijdens werktijd op social media bevinden, maak dat dan duidelijk.",
    "Stel een social media manager aan die verantwoordelijk is voor de inrichting en het "
    "dagelijks gebruik van de corporate social mediakanalen. Deze persoon draagt zorg voor de "
    "content en is tevens vraagbaak voor alle social mediakwesties die er binnen de organisatie "
    "spelen.",
    "Geef zelf het goede voorbeeld. Gebruik de verschillende sociale kanalen zoals u wilt dat "
    "uw werknemers dat ook doen.",
]


def load_seed_article(apps, schema_editor):
    # Historical models have no custom save(), so render the body here with the
    # same function the model uses.
    from articles.markup import render_article_html

    Article = apps.get_model("articles", "Article")
    Tip = apps.get_model("articles", "Tip")
    if Article.objects.filter(slug=SLUG).exists():
        return
    article = Article.objects.create(
        title="Drie tips voor social mediarichtlijnen",
        slug=SLUG,
        status="published",
        published_at=datetime.datetime(2012, 5, 10, 9, 0, tzinfo=AMSTERDAM),
        lead=LEAD,
        body=BODY,
        body_html=render_article_html(BODY),
        author_name="Jorie Post",
        author_role="Senior Account Executive bij LEWIS PR",
        comments_enabled=True,
    )
    Tip.objects.bulk_create(
        Tip(article=article, position=position, text=text)
        for position, text in enumerate(TIPS, start=1)
    )


def remove_seed_article(apps, schema_editor):
    apps.get_model("articles", "Article").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(load_seed_article, remove_seed_article)]
