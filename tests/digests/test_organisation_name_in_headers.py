"""An organisation's name is in every digest's Subject; one stored with a line break
(before names were checked) must not stop the organisation's digests from being built."""

import datetime as dt

from django.utils import timezone

from budbringer.digests.composition import compose_due
from budbringer.digests.delivery import deliver_due
from budbringer.digests.models import Digest, DigestStatus
from budbringer.digests.planning import plan_digests


def test_a_digest_goes_out_for_an_organisation_whose_name_has_a_line_break(cast, news, smtp):
    cast.nordlys.name = "Nordlys\r\nBcc: everyone@example.com\x01"
    cast.nordlys.save(update_fields=["name"])  # as a row from before names were checked
    plan_digests()
    Digest.objects.filter(person=cast.bob, status=DigestStatus.PLANNED).update(
        slot_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert compose_due() == 1
    assert deliver_due()["sent"] == 1
    [received] = smtp.received
    assert "for you from Nordlys Bcc: everyone@example.com" in received.message["Subject"]
    assert received.message["Bcc"] is None
    assert received.envelope_to == ["bob@example.com"]
