from django.db import models


class ScheduledRun(models.Model):
    """One row per periodic task and time slot: the unique key makes enqueueing happen once,
    however many workers run the scheduler."""

    name = models.CharField(max_length=100)
    slot_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name", "slot_start"], name="scheduled_run_once_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot_start:%Y-%m-%d %H:%M}"
