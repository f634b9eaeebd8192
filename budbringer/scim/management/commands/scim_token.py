from django.core.management.base import BaseCommand, CommandError

from budbringer.accounts.models import Organisation
from budbringer.scim.tokens import issue_token


class Command(BaseCommand):
    help = "Print a new SCIM provisioning token for an organisation (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organisation's slug.")
        parser.add_argument("--name", default="SCIM", help="What uses it, e.g. “Entra ID”.")

    def handle(self, *args, slug, name, **options):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {slug!r}.")
        name = " ".join(name.split())[:100]
        if not name:
            raise CommandError("Give the token a name.")
        _token, secret = issue_token(organisation, name)
        self.stdout.write(secret)
