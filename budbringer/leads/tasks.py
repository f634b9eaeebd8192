from django_tasks import task

from budbringer.leads.alerts import send_alert


@task()
def send_lead_alert(lead_id: int, click_id: int) -> dict:
    """Alert a lead's owner about a click (at most once an hour per lead)."""
    return send_alert(lead_id, click_id)
