from django.apps import AppConfig


class TimingConfig(AppConfig):
    name = "budbringer.timing"
    label = "timing"

    def ready(self) -> None:
        from budbringer.timing import activity  # noqa: F401  (connects the sign-in receiver)
