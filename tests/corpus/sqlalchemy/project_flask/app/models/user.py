from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import column_property, deferred, synonym

from app import db
from app.constants import DEFAULT_ROLE, NAME_LENGTH, Status


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    first_name = db.Column(db.String(NAME_LENGTH), nullable=False)
    last_name = db.Column(db.String(NAME_LENGTH), nullable=False)
    role = db.Column(db.String(20), default=DEFAULT_ROLE)
    status = db.Column(db.String(10), default=Status.ACTIVE.value)
    bio = deferred(db.Column(db.Text))
    login_count = column_property(db.Column(db.Integer, default=0))
    full_name = column_property(first_name + " " + last_name)
    given_name = synonym("first_name")
    kind = db.Column(db.String(20), nullable=False)

    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "user"}

    @hybrid_property
    def initials(self) -> str:
        return self.first_name[0] + self.last_name[0]


class Admin(User):
    """Flask-SQLAlchemy: a subclass without a primary key shares its parent's table."""

    __tablename__ = "admin"
    level = db.Column(db.Integer)

    __mapper_args__ = {"polymorphic_identity": "admin"}


class AuditLog(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    user = db.relationship("User", backref=db.backref("audit_entries", lazy="dynamic"))
