from django.urls import path

from polity.selections import views

app_name = "selections"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("<int:selection_id>/", views.detail, name="detail"),
    path("<int:selection_id>/apply/", views.apply, name="apply"),
    path("<int:selection_id>/mine/", views.mine, name="mine"),
    path("<int:selection_id>/mine/withdraw/", views.mine_act, {"action": "withdraw"}, name="withdraw"),
    path("<int:selection_id>/mine/statement/", views.ballot_statement, name="ballot_statement"),
    path("<int:selection_id>/mine/appeal/<int:item>/", views.mine_act, {"action": "appeal"}, name="appeal"),
    path("<int:selection_id>/workspace/", views.workspace, name="workspace"),
    path("<int:selection_id>/workspace/<slug:key>/", views.workspace, name="workspace_act"),
]
