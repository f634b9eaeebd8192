from django.apps import AppConfig


class RelevanceConfig(AppConfig):
    name = "budbringer.relevance"
    label = "relevance"
