from django.urls import path, register_converter
from django.urls.converters import IntConverter

from comments import discussion_views, feeds, own_comment_views, subscription_views, views

app_name = "comments"


class IdConverter(IntConverter):
    """A database id: a number longer than any id is no page (404), not a database error."""

    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")

urlpatterns = [
    path("reacties/<int:article_id>/reageren/", views.comment_form, name="form"),
    path("reacties/<id:comment_id>/", discussion_views.comment_permalink, name="permalink"),
    path(
        "reacties/<id:article_id>/draad/<id:thread_id>/",
        discussion_views.thread,
        name="thread",
    ),
    # The page's one "Waardevol" form: the button sends the comment's id as "reactie".
    path("reacties/waardevol/", discussion_views.recommend_comment, name="recommend"),
    path("reacties/<id:article_id>/stand/", discussion_views.discussion_state, name="state"),
    path("reacties/<id:article_id>/nieuw/", discussion_views.fresh_comments, name="fresh"),
    # The writer's edit-right cookie is limited to this path (comments/own_comments.py):
    # every page of the edit must stay under it.
    path("reacties/bewerken/<int:comment_id>/", own_comment_views.edit, name="edit"),
    path(
        "reacties/bewerken/<int:comment_id>/verwijderen/",
        own_comment_views.delete,
        name="delete",
    ),
    path("reacties/<int:article_id>/volgen/", subscription_views.follow, name="follow"),
    path("reacties/feed/rss/", feeds.LatestCommentsFeed(), name="feed-rss"),
    path("reacties/feed/atom/", feeds.LatestCommentsAtomFeed(), name="feed-atom"),
    path(
        "reacties/<int:article_id>/feed/rss/",
        feeds.ArticleCommentsFeed(),
        name="article-feed-rss",
    ),
    path(
        "reacties/<int:article_id>/feed/atom/",
        feeds.ArticleCommentsAtomFeed(),
        name="article-feed-atom",
    ),
    path(
        "abonnement/bevestigen/<str:token>/",
        subscription_views.confirm,
        name="subscription-confirm",
    ),
    path("abonnement/beheren/<str:token>/", subscription_views.manage, name="subscription-manage"),
    path(
        "abonnement/afmelden/<str:token>/",
        subscription_views.unsubscribe_view,
        name="subscription-unsubscribe",
    ),
]
