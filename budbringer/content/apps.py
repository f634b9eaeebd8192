from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "budbringer.content"
    label = "content"
