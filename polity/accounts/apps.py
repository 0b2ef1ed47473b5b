from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "polity.accounts"
    label = "accounts"
