from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "budbringer.leads"
    label = "leads"

    def ready(self) -> None:
        # The only receiver of the app: it enqueues alert work, it does none (alerts.py).
        from budbringer.leads import alerts
        from budbringer.links.events import clicks_counted

        clicks_counted.connect(alerts.enqueue_alerts, dispatch_uid="leads.enqueue_alerts")
