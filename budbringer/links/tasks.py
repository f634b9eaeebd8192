import datetime as dt
import math
import threading

from django.utils import timezone
from django_tasks import task

from budbringer.links.counting import count_pending_clicks, settle_window
from budbringer.links.visitors import prune_salts


@task()
def prune_visitor_salts() -> int:
    """Forget yesterday's salts so visitor hashes can no longer be recomputed."""
    return prune_salts(timezone.now().date())


@task()
def count_clicks() -> int:
    """One counting pass; the schedule runs it every minute, clicks ask for it sooner."""
    from budbringer.digests.clicks import count_pending_digest_clicks

    return len(count_pending_clicks()) + len(count_pending_digest_clicks())


# The latest pass this process has asked for: clicks settling before it need no new one,
# so a busy redirect path enqueues about one pass a second, not one per click.
_requested_until = dt.datetime.min.replace(tzinfo=dt.UTC)
_requested_lock = threading.Lock()


def request_count_after(clicked_at: dt.datetime) -> bool:
    """Enqueue a counting pass for just after this click has settled, unless one is due
    then already; returns whether one was enqueued."""
    global _requested_until
    due = clicked_at + settle_window()
    with _requested_lock:
        if due <= _requested_until:
            return False
        # Rounded up to the half second, so the clicks of that half second share one pass.
        half_seconds = math.ceil(due.timestamp() * 2) / 2
        _requested_until = dt.datetime.fromtimestamp(half_seconds, tz=dt.UTC)
        run_after = _requested_until
    count_clicks.using(run_after=run_after).enqueue()
    return True
