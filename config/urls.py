from django.contrib import admin
from django.urls import include, path

from polity.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("polity.accounts.urls")),
    path("api/v1/", api.urls),
    path("outbox/", include("polity.outbox.urls")),
    path("cases/", include("polity.cases.urls")),
    path("selections/", include("polity.selections.urls")),
    path("elections/", include("polity.elections.urls")),
    path("deadlines/", include("polity.deadlines.urls")),
    path("statistics/", include("polity.transparency.urls")),
    path("meetings/", include("polity.meetings.urls")),
    path("data/", include("polity.dsr.urls")),
    path("exports/", include("polity.exports.urls")),
    path("", include("polity.comms.urls")),
    path("", include("polity.web.urls")),
]
