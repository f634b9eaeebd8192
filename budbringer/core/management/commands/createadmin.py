import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from budbringer.accounts.models import Organisation, Person, Role
from budbringer.lib.names import validate_one_line


class Command(BaseCommand):
    help = "Create an organisation admin (and the organisation when it does not exist yet)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="Organisation name")
        parser.add_argument("--name", help="The person's full name (default: the username)")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="Also make an installation operator who sees every organisation.",
        )

    def handle(self, *args, username, organisation, name, email, superuser, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is taken.")
        try:
            for value in (organisation, name or ""):
                validate_one_line(value)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        password = os.environ.get("BUDBRINGER_ADMIN_PASSWORD") or self._ask_password()
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            org, created = Organisation.objects.get_or_create(
                slug=slugify(organisation)[:60] or "organisation", defaults={"name": organisation}
            )
            user = User.objects.create_user(username, email, password)
            user.is_staff = True
            user.is_superuser = superuser
            user.save()
            Person.objects.create(
                user=user,
                organisation=org,
                name=name or username,
                role=Role.ADMIN,
                languages=["en"],
            )
        self.stdout.write(
            f"{username} is an admin of {org.name}" + (" (new organisation)" if created else "")
        )

    def _ask_password(self) -> str:
        if not os.isatty(0):
            raise CommandError("Set BUDBRINGER_ADMIN_PASSWORD or run in a terminal.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first
