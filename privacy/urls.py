from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_page, name="page"),
    path("privacy/mijn-gegevens/", views.data_request, name="request"),
    path("privacy/mijn-gegevens/<str:token>/", views.data, name="data"),
    path("privacy/mijn-gegevens/<str:token>/download/", views.download, name="export"),
    path("privacy/mijn-gegevens/<str:token>/wissen/", views.erase, name="erase"),
]
