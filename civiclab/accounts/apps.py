from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "civiclab.accounts"
    label = "accounts"
