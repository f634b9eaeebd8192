from django_tasks import task

from budbringer.digests.passes import send_due
from budbringer.digests.planning import plan_digests


@task()
def plan() -> int:
    """Plan the next digest of everyone who has none planned."""
    return plan_digests()


@task()
def send() -> dict:
    """Compose and deliver the digests whose slot has come (several workers may run it)."""
    report = send_due()
    return {"composed": report.composed, **report.outcomes}
