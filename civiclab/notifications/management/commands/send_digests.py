from django.core.management.base import BaseCommand

from civiclab.notifications.actions import send_digests


class Command(BaseCommand):
    help = "Email the daily or weekly notification digest to everyone who chose it (run from cron)."

    def add_arguments(self, parser):
        parser.add_argument("frequency", choices=["daily", "weekly"])

    def handle(self, *args, frequency, **options):
        sent = send_digests(frequency)
        self.stdout.write(f"{sent} digest email(s) sent")
