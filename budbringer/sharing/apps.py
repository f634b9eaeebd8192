from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "budbringer.sharing"
    label = "sharing"
