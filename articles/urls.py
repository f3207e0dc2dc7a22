from django.urls import path, register_converter
from django.views.generic import RedirectView

from articles import feeds, views

app_name = "articles"


class UnicodeSlugConverter:
    """A slug that may keep its accents (taggit's tag slugs: "financiën")."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "unicode_slug")

urlpatterns = [
    path("", views.article_list, name="index"),
    path("nieuws/", RedirectView.as_view(pattern_name="articles:index", permanent=True)),
    path("nieuws/feed/rss/", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("nieuws/feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path(
        "nieuws/<int:year>/<str:month>/<str:day>/<slug:slug>/",
        views.article_detail,
        name="detail",
    ),
    path("rubriek/<slug:slug>/", views.section_detail, name="section"),
    path("rubriek/<slug:slug>/feed/", feeds.SectionFeed(), name="section-feed"),
    path("tag/<unicode_slug:slug>/", views.tag_detail, name="tag"),
    path("auteur/<slug:slug>/", views.author_detail, name="author"),
]
