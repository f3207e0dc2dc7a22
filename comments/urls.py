from django.urls import path

from comments import subscription_views, views

app_name = "comments"

urlpatterns = [
    path("reacties/<int:article_id>/reageren/", views.comment_form, name="form"),
    path("reacties/<int:article_id>/volgen/", subscription_views.follow, name="follow"),
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
