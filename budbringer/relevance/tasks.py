import logging

from django_tasks import task

from budbringer.accounts.models import Organisation
from budbringer.relevance.service import retrain

log = logging.getLogger(__name__)


@task()
def retrain_rankers() -> int:
    """Learn each organisation's ranking weights from its feedback; returns how many.

    Safe to run twice: each run replaces the organisation's one RankerState row.
    """
    trained = 0
    for organisation in Organisation.objects.order_by("id").iterator():
        try:
            retrain(organisation)
        except Exception:
            # One organisation's odd data must not keep the others on stale weights.
            log.exception("retraining the ranker of %s failed", organisation.slug)
            continue
        trained += 1
    return trained
