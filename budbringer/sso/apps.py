from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "budbringer.sso"
    label = "sso"
    verbose_name = "Single sign-on"
