from django_tasks import task

from budbringer.sources.refresh import refresh_due_sources


@task()
def fetch_due_sources() -> dict:
    """One fetch pass over the sources whose time has come."""
    summary = refresh_due_sources()
    return {
        "sources": summary.sources,
        "failed": summary.failed,
        "not_modified": summary.not_modified,
        "new_items": summary.new_items,
    }
