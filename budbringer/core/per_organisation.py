"""Running one piece of periodic work for every organisation, each on its own."""

import logging
from collections.abc import Callable

from budbringer.accounts.models import Organisation

log = logging.getLogger(__name__)


def for_each_organisation(work: Callable[[Organisation], object], what: str) -> int:
    """``work(organisation)`` for every organisation; returns how many succeeded.

    One organisation's odd data must not keep the others on stale results, so a failure is
    logged (as "<what> of <slug> failed") and the next organisation goes on.
    """
    done = 0
    for organisation in Organisation.objects.order_by("id").iterator():
        try:
            work(organisation)
        except Exception:
            log.exception("%s of %s failed", what, organisation.slug)
            continue
        done += 1
    return done
