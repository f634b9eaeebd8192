from django.utils import timezone
from django_tasks import task

from budbringer.accounts import invitations, lockout, passwords


@task()
def prune_throttles() -> int:
    """Forget wrong passwords that no longer lock anything and reset counts of hours that
    have ended (privacy: addresses expire)."""
    now = timezone.now()
    return lockout.prune_failures(now) + passwords.prune_windows(now)


@task()
def send_password_reset(email: str, request_language: str) -> list[str]:
    """Queued for every reset request that was not throttled, account or not."""
    return passwords.send_reset_mails(email, request_language)


@task()
def send_invitation(invitation_id: int, reminder: bool = False) -> str:
    """Queued by ``invitations.invite`` once the invitation is committed."""
    return invitations.send_invitation(invitation_id, reminder)


@task()
def send_invitation_reminders() -> int:
    """The one reminder to people invited a while ago who have not come in yet."""
    return invitations.send_reminders(timezone.now())
