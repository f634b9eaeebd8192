"""Who may see what: the decorators every view goes through.

Tenant isolation lives in the per-object lookups (``get_item_for``, ...) that scope to
``request.person.organisation``; these decorators make sure there is a person whom the
role rules (``accounts.roles``) allow in.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from budbringer.accounts import roles


def person_required(rule: Callable | None = None):
    """Signed in, with a person in an organisation, and (if given) allowed by ``rule``."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.person is None:
                raise PermissionDenied("this login has no person in an organisation")
            if rule is not None and not rule(request.person):
                raise PermissionDenied("your role does not allow this page")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


editor_required = person_required(roles.may_edit)
analytics_required = person_required(roles.may_see_analytics)
leads_required = person_required(roles.may_see_leads)
admin_required = person_required(roles.may_administer)
