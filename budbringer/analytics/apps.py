from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "budbringer.analytics"
    label = "analytics"

    def ready(self) -> None:
        from budbringer.analytics import rollup
        from budbringer.links.events import clicks_counted

        clicks_counted.connect(rollup.clicks_settled, dispatch_uid="analytics.clicks_settled")
