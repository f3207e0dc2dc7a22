from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("nieuwsbrief/", views.signup, name="signup"),
    path("nieuwsbrief/bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("nieuwsbrief/afmelden/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
