from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "civiclab.processes"
    label = "processes"
