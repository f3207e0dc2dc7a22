from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("reacties/melden/<int:comment_id>/", views.report, name="report"),
    path("reacties/melden/<int:comment_id>/verstuurd/", views.report_sent, name="report-sent"),
    path("reacties/regels/", views.rules, name="rules"),
]
