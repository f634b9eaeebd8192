from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "budbringer.mfa"
    label = "mfa"
    verbose_name = "Second factor"
