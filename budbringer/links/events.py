"""What other apps may hear from the click path, without the redirect knowing them."""

from django.dispatch import Signal

# Sent after the clicks are committed, with ``clicks``: a list of saved ``Click`` rows.
# Receivers must be quick (enqueue work, do not do it): the redirect path calls them.
clicks_recorded = Signal()
