import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budbringer.sources.adding import SourceError, discover_feed
from budbringer.sources.parsing import FeedError
from budbringer.sources.pipeline import PreparedFeed, prepare_feed, preview_json_lines


class Command(BaseCommand):
    help = "Preview a feed without saving anything: fetch or read it, then parse and clean it."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["preview"])
        parser.add_argument("location", metavar="URL_OR_FILE", help="a feed or site URL, or a file")
        parser.add_argument("--json", action="store_true", help="one JSON object per item")

    def handle(self, *args, action, location, json, **options):
        prepared = self._prepare(location)
        if json:
            for line in preview_json_lines(prepared):
                self.stdout.write(line)
            return
        feed = prepared.feed
        self.stdout.write(f"{feed.title or '(untitled feed)'}  {feed.site_url}".rstrip())
        if prepared.warning:
            self.stdout.write(f"warning: {prepared.warning}")
        for item in prepared.items:
            published = item.published.isoformat() if item.published else "-"
            self.stdout.write(f"- [{item.language or '?'}] {item.title}\n  {item.url}  {published}")
        self.stdout.write(f"{len(prepared.items)} items, {prepared.skipped} skipped.")

    def _prepare(self, location: str) -> PreparedFeed:
        if location.startswith(("http://", "https://")):
            try:
                return discover_feed(location).prepared
            except SourceError as error:
                raise CommandError(str(error)) from None
        path = Path(location)
        if location == "-":
            body = sys.stdin.buffer.read()
        elif path.is_file():
            body = path.read_bytes()
        else:
            raise CommandError(f"{location} is neither an http(s) URL nor a readable file.")
        try:
            return prepare_feed(body, url=path.resolve().as_uri() if location != "-" else "")
        except FeedError as error:
            raise CommandError(str(error)) from None
