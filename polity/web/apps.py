from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "polity.web"
    label = "web"
