from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("reacties/<int:article_id>/reageren/", views.comment_form, name="form"),
]
