from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "budbringer.api"
    label = "api"
