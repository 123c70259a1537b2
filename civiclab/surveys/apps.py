from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "civiclab.surveys"
    label = "surveys"

    def ready(self):
        from civiclab.processes import components
        from civiclab.processes.models import ComponentKind

        components.register(components.ComponentType(kind=ComponentKind.SURVEY, url_name="surveys:detail"))
