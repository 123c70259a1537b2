from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "civiclab.cities"
    label = "cities"
