"""What other apps may hear from the click path, without the redirect knowing them."""

from django.dispatch import Signal

# Sent after the clicks are committed, with ``clicks``: a list of saved ``Click`` rows.
# Receivers must be quick (enqueue work, do not do it): the redirect path calls them.
clicks_recorded = Signal()

# Sent after a counting pass has decided what pending clicks were (unique, repeat, scanner),
# with ``clicks``: a list of the ``Click`` rows it settled, their ``kind`` final. Lead alerts
# listen here rather than to ``clicks_recorded``, so a mail scanner's pre-click or a repeat
# never alerts anyone.
clicks_counted = Signal()
