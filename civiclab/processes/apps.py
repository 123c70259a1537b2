from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "civiclab.processes"
    label = "processes"

    def ready(self) -> None:
        from civiclab.notifications.registry import register_followable

        from .selectors import get_process_by_pk_for

        register_followable("processes.process", get_process_by_pk_for)
