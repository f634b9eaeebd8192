import json

from django.core.management.base import BaseCommand, CommandError

from budbringer.accounts.models import Person
from budbringer.accounts.privacy import erase_person, export_person


class Command(BaseCommand):
    help = "Export or erase everything Budbringer holds about one person."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Erase without asking.")

    def handle(self, *args, action, username, yes, **options):
        person = (
            Person.objects.select_related("user", "organisation", "department")
            .filter(user__username=username)
            .first()
        )
        if person is None:
            raise CommandError(f"No person with the username {username!r}.")
        if action == "export":
            self.stdout.write(json.dumps(export_person(person), indent=2, ensure_ascii=False))
            return
        if not yes:
            raise CommandError(f"This erases {person.name} for good; add --yes to go ahead.")
        erase_person(person)
        self.stdout.write(f"{person.name} ({username}) is erased.")
