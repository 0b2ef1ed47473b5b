from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "polity.meetings"
    label = "meetings"

    def ready(self) -> None:
        from polity.meetings.picker import meeting_people
        from polity.members.picker import register_scope

        register_scope("meetings", meeting_people)  # whom meeting forms may name (the person picker)
