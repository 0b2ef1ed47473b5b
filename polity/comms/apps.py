from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "polity.comms"
    label = "comms"

    def ready(self) -> None:
        from polity.comms.selectors import comms_people
        from polity.members.picker import register_scope

        register_scope("comms", comms_people)  # whom "preview as a recipient" may name (the person picker)
