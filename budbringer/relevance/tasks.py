from django_tasks import task

from budbringer.core.per_organisation import for_each_organisation
from budbringer.relevance.service import retrain


@task()
def retrain_rankers() -> int:
    """Learn each organisation's ranking weights from its feedback; returns how many.

    Safe to run twice: each run replaces the organisation's one RankerState row.
    """
    return for_each_organisation(retrain, "retraining the ranker")
