from django_tasks import task

from budbringer.analytics.rollup import refresh


@task()
def refresh_click_rollup() -> int:
    """Roll up the days not final yet; the schedule runs it every few minutes."""
    return refresh().days
