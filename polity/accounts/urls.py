from django.contrib.auth import views as auth_views
from django.urls import path

from polity.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("setup/", views.setup, name="setup"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("security/", views.security, name="security"),
    path("password/forgotten/", views.ResetRequestView.as_view(), name="password_reset"),
    path("password/sent/", views.ResetDoneView.as_view(), name="password_reset_done"),
    path("password/new/<uidb64>/<token>/", views.ResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/changed/", views.ResetCompleteView.as_view(), name="password_reset_complete"),
]
