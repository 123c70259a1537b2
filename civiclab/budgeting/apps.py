from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "civiclab.budgeting"
    label = "budgeting"
