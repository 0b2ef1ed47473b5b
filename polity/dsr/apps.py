from django.apps import AppConfig


class DsrConfig(AppConfig):
    name = "polity.dsr"
    label = "dsr"
    verbose_name = "Data subject rights"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Every app's `personal_data.py` declares what it holds about a person (polity/dsr/registry.py).
        autodiscover_modules("personal_data")
