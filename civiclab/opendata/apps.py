from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "civiclab.opendata"
    label = "opendata"
