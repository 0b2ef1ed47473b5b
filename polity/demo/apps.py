from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "polity.demo"
    label = "demo"
    verbose_name = "Demo organisation"
