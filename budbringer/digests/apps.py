from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "budbringer.digests"
    label = "digests"
