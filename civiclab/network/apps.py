from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "civiclab.network"
    label = "network"
