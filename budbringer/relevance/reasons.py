"""Why an item was picked, in words: "Because you follow Industry news"."""

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from budbringer.accounts.models import Department, Organisation
from budbringer.content.models import Topic
from budbringer.relevance.engine import Reason
from budbringer.sources.models import SourceList

# Which parameter of a reason names which kind of object.
_NAMED = {"list_id": SourceList, "topic_id": Topic, "department_id": Department}

# The reasons without names; translated one at a time (a digest has dozens of reasons).
_PLAIN = {
    "colleagues": gettext_noop("Popular with your colleagues"),
    "similar": gettext_noop("Like what you read before"),
    "company": gettext_noop("From the company"),
    "popular": gettext_noop("Popular right now"),
    "fresh": gettext_noop("New"),
}
_UNKNOWN = gettext_noop("Picked for you")


def reason_text(reason: Reason, organisation: Organisation) -> str:
    return reason_texts([reason], organisation)[0]


def reason_texts(
    reasons: Sequence[Reason], organisation: Organisation, names: dict | None = None
) -> list[str]:
    """The reasons in the active language, with names looked up in the organisation only
    (at most one query per kind of name, however many reasons; none when ``names``, from
    ``reason_names`` for a whole batch, is given)."""
    if names is None:
        names = reason_names(reasons, organisation)
    return [_text(reason, names) for reason in reasons]


def reason_names(
    reasons: Iterable[Reason], organisation: Organisation
) -> dict[str, dict[int, str]]:
    wanted: dict[str, set[int]] = {}
    for reason in reasons:
        for param in _NAMED:
            if reason.params.get(param) is not None:
                wanted.setdefault(param, set()).add(reason.params[param])
    return {
        param: dict(
            _NAMED[param]
            .objects.filter(organisation=organisation, pk__in=ids)
            .values_list("pk", "name")
        )
        for param, ids in wanted.items()
    }


def _text(reason: Reason, names: dict[str, dict[int, str]]) -> str:
    params = reason.params
    code = reason.code
    if code == "follows_list" and (name := names.get("list_id", {}).get(params.get("list_id"))):
        return _("Because you follow %(list)s") % {"list": name}
    if code == "follows_topic" and (name := names.get("topic_id", {}).get(params.get("topic_id"))):
        return _("Because you follow the topic %(topic)s") % {"topic": name}
    if code == "department_shares":
        count = int(params.get("count", 0))
        department = names.get("department_id", {}).get(params.get("department_id"))
        if department and count:
            return ngettext(
                "Shared by %(count)d person in %(department)s",
                "Shared by %(count)d people in %(department)s",
                count,
            ) % {"count": count, "department": department}
        return _("Popular with your colleagues")
    # A list or topic deleted since the ranking, or a code added to the engine later.
    return _(_PLAIN.get(code, _UNKNOWN))
