from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "polity.consent"
    label = "consent"
