import logging

from django_tasks import task

from budbringer.accounts.models import Organisation
from budbringer.timing.fitting import refit

log = logging.getLogger(__name__)


@task()
def refit_reachability() -> int:
    """Refit every organisation's reachability profiles; returns how many were refitted.

    Safe to run twice: each run replaces the organisation's rows in one transaction.
    """
    fitted = 0
    for organisation in Organisation.objects.order_by("id").iterator():
        try:
            refit(organisation)
        except Exception:
            # One organisation's odd data must not keep the others on stale profiles.
            log.exception("refitting reachability of %s failed", organisation.slug)
            continue
        fitted += 1
    return fitted
