from .post import BlogPost, Tag, post_tags
from .user import Admin, AuditLog, User

__all__ = ["Admin", "AuditLog", "BlogPost", "Tag", "User", "post_tags"]
