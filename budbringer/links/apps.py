from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "budbringer.links"
    label = "links"
