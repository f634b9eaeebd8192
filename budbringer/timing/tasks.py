from django_tasks import task

from budbringer.core.per_organisation import for_each_organisation
from budbringer.timing.fitting import refit


@task()
def refit_reachability() -> int:
    """Refit every organisation's reachability profiles; returns how many were refitted.

    Safe to run twice: each run replaces the organisation's rows in one transaction.
    """
    return for_each_organisation(refit, "refitting reachability")
