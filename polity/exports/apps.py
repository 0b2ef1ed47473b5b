from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "polity.exports"
    label = "exports"
    verbose_name = "Exports of members' data, decoys and attribution"
