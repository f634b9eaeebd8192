from django.utils import timezone
from django_tasks import task

from budbringer.links.visitors import prune_salts


@task()
def prune_visitor_salts() -> int:
    """Forget yesterday's salts so visitor hashes can no longer be recomputed."""
    return prune_salts(timezone.now().date())
