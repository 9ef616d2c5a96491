"""People, projects and roles: who may do what on a team server (issue #16)."""

from .errors import AccessError
from .principal import ROLES, Principal, Role
from .repository import PeopleRepository
from .service import PeopleService

__all__ = ["AccessError", "PeopleRepository", "PeopleService", "Principal", "ROLES", "Role"]
