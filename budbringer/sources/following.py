"""What a person follows: lists of sources and topics. Following nothing means everything.

`Item.objects.for_person` reads these: someone who follows lists or topics is suggested
items from those lists or on those topics; someone who follows nothing, everything in
their languages.
"""

from budbringer.accounts.models import Person
from budbringer.content.models import Topic
from budbringer.sources.models import SourceList


def _same_organisation(person: Person, thing: SourceList | Topic) -> None:
    if thing.organisation_id != person.organisation_id:
        raise ValueError("people follow only what their own organisation has")


def follow_list(person: Person, source_list: SourceList) -> None:
    _same_organisation(person, source_list)
    source_list.followers.add(person)  # adding twice is a no-op


def unfollow_list(person: Person, source_list: SourceList) -> None:
    _same_organisation(person, source_list)
    source_list.followers.remove(person)


def follow_topic(person: Person, topic: Topic) -> None:
    _same_organisation(person, topic)
    person.topics.add(topic)


def unfollow_topic(person: Person, topic: Topic) -> None:
    _same_organisation(person, topic)
    person.topics.remove(topic)
