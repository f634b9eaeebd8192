from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "budbringer.people"
    label = "people"
    verbose_name = "People admin"
