from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "polity.transparency"
    label = "transparency"
    verbose_name = "Transparency statistics"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares its public series in its own `series.py` (see docs/transparency.md).
        autodiscover_modules("series")
