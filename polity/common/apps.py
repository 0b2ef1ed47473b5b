from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "polity.common"
    label = "common"
