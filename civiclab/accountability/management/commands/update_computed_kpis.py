from django.core.management.base import BaseCommand

from civiclab.accountability.actions import do_refresh_computed
from civiclab.cities.models import City


class Command(BaseCommand):
    help = "Record today's value of every computed KPI of every city (run daily from cron)."

    def handle(self, *args, **options):
        total = 0
        for city in City.objects.order_by("pk"):
            # One city at a time, each in its own transaction: a failing calculator leaves the others done.
            total += do_refresh_computed(city)
        self.stdout.write(f"{total} computed KPI value(s) recorded")
