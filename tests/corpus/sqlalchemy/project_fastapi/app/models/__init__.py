from .item import Item
from .user import User
