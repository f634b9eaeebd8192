from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "budbringer.core"
    label = "core"
