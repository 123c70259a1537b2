from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "civiclab.deliberation"
    label = "deliberation"
