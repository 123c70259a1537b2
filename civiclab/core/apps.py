from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civiclab.core"
    label = "core"
