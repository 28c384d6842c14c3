import enum

NAME_LENGTH = 80
DEFAULT_ROLE = "member"


class Status(enum.Enum):
    ACTIVE = "active"
    BLOCKED = "blocked"
