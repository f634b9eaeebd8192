from django.utils import timezone
from django_tasks import task

from budbringer.accounts import lockout


@task()
def prune_throttles() -> int:
    """Forget wrong passwords that no longer lock anything (privacy: addresses expire)."""
    return lockout.prune_failures(timezone.now())
