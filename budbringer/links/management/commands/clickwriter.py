from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Store the tracked-link clicks of `budbringer serve`'s workers, sent to a Unix socket "
        "(serve starts this process itself)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--socket", required=True, help="the Unix socket to listen on")

    def handle(self, *args, socket, **options):
        from budbringer.links import writer_process

        writer_process.run_command(socket)
