from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "polity.accounts"
    label = "accounts"

    def ready(self) -> None:
        from polity.accounts.reset import register_addresses

        register_addresses()
