from django.apps import AppConfig


class DsrConfig(AppConfig):
    name = "polity.dsr"
    label = "dsr"
    verbose_name = "Data subject rights"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from polity.consent.checks import register_refusal_check
        from polity.dsr.mail import register_addresses
        from polity.dsr.objections import stopped_people

        # Every app's `personal_data.py` declares what it holds about a person (polity/dsr/registry.py).
        autodiscover_modules("personal_data")
        # The outbox asks this app for the address of a requester who is not on the register.
        register_addresses()
        # Restrictions and objections stop the processing they name, at every send (polity.consent.checks).
        register_refusal_check("dsr.processing_stop", stopped_people)
