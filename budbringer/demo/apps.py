from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "budbringer.demo"
    label = "demo"
