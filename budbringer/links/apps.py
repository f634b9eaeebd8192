from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "budbringer.links"
    label = "links"

    def ready(self):
        from budbringer.links.events import clicks_recorded

        clicks_recorded.connect(_request_count, dispatch_uid="links.request_count")


def _request_count(sender, clicks, **kwargs):
    """Ask for a counting pass right after these clicks settle, so lead alerts come in
    seconds, not at the next minute's safety-net pass."""
    from budbringer.links.models import ClickKind
    from budbringer.links.tasks import request_count_after

    pending = [click.clicked_at for click in clicks if click.kind == ClickKind.PENDING]
    if pending:
        request_count_after(max(pending))
