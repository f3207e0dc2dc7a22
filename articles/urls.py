from django.urls import path
from django.views.generic import RedirectView

from articles import feeds, views

app_name = "articles"

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
    # Tag slugs keep their accents (taggit's default), which the slug converter refuses.
    path("tag/<str:slug>/", views.tag_detail, name="tag"),
    path("auteur/<slug:slug>/", views.author_detail, name="author"),
]
