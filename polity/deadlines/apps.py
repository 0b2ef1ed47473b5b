from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "polity.deadlines"
    label = "deadlines"
