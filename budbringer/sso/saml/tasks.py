from django.utils import timezone
from django_tasks import task

from budbringer.sso.models import SeenAssertion


@task()
def prune_seen_assertions() -> int:
    """Forget used assertions once they have expired: a replay of one is refused by its
    own NotOnOrAfter from then on."""
    deleted, _ = SeenAssertion.objects.filter(keep_until__lt=timezone.now()).delete()
    return deleted
