from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "budbringer.analytics"
    label = "analytics"
