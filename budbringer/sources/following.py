"""What a person follows: lists of sources and topics.

The ranker (budbringer.relevance) reads these as explicit interests: items from a
followed list or on a followed topic rank higher, and the reason says so.
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
