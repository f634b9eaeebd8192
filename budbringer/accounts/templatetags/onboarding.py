"""The checklist in the navigation: admins see "Getting started" while steps remain."""

from django import template

from budbringer.accounts import onboarding
from budbringer.accounts.onboarding import Checklist

register = template.Library()


@register.simple_tag
def onboarding_checklist(person) -> Checklist:
    return onboarding.checklist(person.organisation)
