"""Who may see what: the decorators every view goes through.

Tenant isolation lives in the per-object lookups (``get_item_for``, ...) that scope to
``request.person.organisation``; these decorators make sure there is a person, with a role.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from budbringer.accounts.models import Role


def person_required(*roles: Role):
    """Signed in, with a person in an organisation, and (if given) one of these roles."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.person is None:
                raise PermissionDenied("this login has no person in an organisation")
            if roles and request.person.role not in roles:
                raise PermissionDenied("your role does not allow this page")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


editor_required = person_required(Role.ADMIN, Role.EDITOR)
analytics_required = person_required(Role.ADMIN, Role.LEADER)
leads_required = person_required(Role.ADMIN, Role.LEADER, Role.SALES)
