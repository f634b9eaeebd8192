"""The `budbringer` command: Django's management commands under one friendly name."""

import os
import sys

USAGE = """usage: budbringer COMMAND [options]

  demo          migrate, load the demo organisation and serve it with a worker
  serve         serve the web app (granian)
  worker        run background tasks and the periodic schedule
  migrate       create or update the database tables
  createadmin   create an organisation admin
  fetch         fetch the sources that are due (or --source ID) and store new items
  feed preview  show what a feed or site URL (or a file) gives, without saving
  digests       plan, compose and send the digests that are due (--loop to keep going)
  setup         create an organisation and its first admin (asks, or takes flags)
  people import import people from a CSV file (--dry-run shows every row first)
  scim-token    print a new SCIM provisioning token for an organisation
  encryption-key  print a key for BUDBRINGER_ENCRYPTION_KEYS (--rotate re-encrypts)
  help          every command, including Django's own
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budbringer.settings")
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(USAGE)
        return
    from django.core.management import execute_from_command_line

    # `budbringer scim-token` runs the command module scim_token.
    command = argv[1].replace("-", "_") if not argv[1].startswith("-") else argv[1]
    execute_from_command_line(["budbringer", command, *argv[2:]])


if __name__ == "__main__":
    main()
