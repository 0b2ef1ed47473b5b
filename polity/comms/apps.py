from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "polity.comms"
    label = "comms"
