"""Models split over several modules of a package, importing each other."""
from .base import Base
from .shop import Shop
from .staff import Clerk

__all__ = ["Base", "Clerk", "Shop"]
