"""Run in a subprocess by test_kill: an organisation whose digests are all due now.

python -m tests.digests.kill_seed PEOPLE
"""

import datetime as dt
import json
import sys


def seed(people: int) -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from budbringer.accounts.models import Organisation, Person
    from budbringer.content.models import ApprovalState, Item
    from budbringer.digests.models import Digest
    from budbringer.sources.models import Source, SourceList

    now = timezone.now()
    organisation = Organisation.objects.create(name="Killtest", slug="killtest")
    company = SourceList.objects.create(organisation=organisation, name="Company", kind="company")
    for number in range(6):
        source = Source.objects.create(
            organisation=organisation,
            title=f"Blog {number}",
            feed_url=f"https://b{number}.example/",
        )
        source.lists.add(company)
        Item.objects.create(
            organisation=organisation,
            source=source,
            title=f"Company news {number}",
            url=f"https://b{number}.example/news",
            canonical_url=f"https://b{number}.example/news",
            language="en",
            approval_state=ApprovalState.APPROVED,
            approved_at=now,
            published_at=now - dt.timedelta(hours=number + 1),
        )
    users = User.objects.bulk_create(
        User(username=f"p{n}", email=f"p{n}@example.com") for n in range(people)
    )
    persons = Person.objects.bulk_create(
        Person(user=user, organisation=organisation, name=user.username, languages=["en"])
        for user in users
    )
    Digest.objects.bulk_create(
        Digest(organisation=organisation, person=person, slot_at=now - dt.timedelta(minutes=1))
        for person in persons
    )


def state() -> dict:
    from collections import Counter

    from budbringer.digests.models import Delivery, Digest

    return {
        "digests": Digest.objects.filter(status="ready").count(),  # composed and sent
        "deliveries": dict(Counter(Delivery.objects.values_list("status", flat=True))),
        "workers": sorted(
            set(Delivery.objects.filter(status="sent").values_list("claimed_by", flat=True))
        ),
    }


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "state":
        print(json.dumps(state()))
    else:
        seed(int(sys.argv[1]))
