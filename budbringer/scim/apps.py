from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "budbringer.scim"
    label = "scim"
    verbose_name = "SCIM provisioning"
