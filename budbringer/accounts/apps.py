from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "budbringer.accounts"
    label = "accounts"
