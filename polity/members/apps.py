from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "polity.members"
    label = "members"
