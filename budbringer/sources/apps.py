from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "budbringer.sources"
    label = "sources"
