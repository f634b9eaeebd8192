from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "budbringer.analytics"
    label = "analytics"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from budbringer.analytics import rollup
        from budbringer.content.models import Item
        from budbringer.links.events import clicks_counted

        clicks_counted.connect(rollup.clicks_settled, dispatch_uid="analytics.clicks_settled")
        # The narrower roll-ups have no item to cascade from (rollup.item_deleted).
        pre_delete.connect(rollup.item_deleted, sender=Item, dispatch_uid="analytics.item_deleted")
