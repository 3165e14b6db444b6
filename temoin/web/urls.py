from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import set_language

from temoin.web.views import admin, auth, dashboard, events, public, review

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("evenements/", events.event_list, name="event-list"),
    path("evenements/export.csv", events.export_csv, name="event-export-csv"),
    path("evenements/export.geojson", events.export_geojson, name="event-export-geojson"),
    path("evenements/nouveau/", events.event_create, name="event-create"),
    path("evenements/<int:pk>/", events.event_detail, name="event-detail"),
    path("evenements/<int:pk>/modifier/", events.event_edit, name="event-edit"),
    path("evenements/<int:pk>/retablir/", events.event_revert, name="event-revert"),
    path("evenements/<int:pk>/statut/", review.event_transition, name="event-transition"),
    path("evenements/<int:pk>/publier/", review.event_publish, name="event-publish"),
    path("evenements/<int:pk>/assigner/", review.event_assign, name="event-assign"),
    path("evenements/<int:pk>/partager/", review.event_share, name="event-share"),
    path("evenements/<int:pk>/lier/", review.event_link, name="event-link"),
    path("actes/<int:pk>/modifier/", events.act_edit, name="act-edit"),
    path("revision/", review.review_queue, name="review-queue"),
    path("lieux.json", events.places, name="places"),
    path("carte/", dashboard.map_page, name="map"),
    path("carte/donnees.json", dashboard.map_data, name="map-data"),
    path("carte/limites-<int:level>.geojson", dashboard.boundaries, name="boundaries"),
    path("public/", public.public_list, name="public-list"),
    path("public/<str:reference>/", public.public_detail, name="public-detail"),
    path("administration/utilisateurs/", admin.users, name="admin-users"),
    path("administration/utilisateurs/<int:pk>/", admin.user_change, name="admin-user-change"),
    path("administration/partages/", admin.sharing, name="admin-sharing"),
    path("administration/vocabulaires/", admin.vocabularies, name="admin-vocabularies"),
    path("administration/cles/", admin.keys_page, name="admin-keys"),
    path("administration/journal/", admin.audit, name="admin-audit"),
    path("connexion/", auth.sign_in, name="login"),
    path("connexion/code/", auth.otp_verify, name="otp-verify"),
    path("connexion/code/configurer/", auth.otp_setup, name="otp-setup"),
    path("connexion/code/qr.svg", auth.otp_qr, name="otp-qr"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("langue/", set_language, name="set-language"),
]
