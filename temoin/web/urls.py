from django.contrib.auth import views as auth_views
from django.urls import path

from temoin.web import views

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("evenements/<int:pk>/", views.event_detail, name="event-detail"),
    path("connexion/", auth_views.LoginView.as_view(template_name="web/login.html"),
         name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
