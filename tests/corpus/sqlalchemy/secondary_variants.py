"""Many-to-many through association tables given as a Table object, a string and a lambda."""
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


student_course = Table(
    "student_course",
    Base.metadata,
    Column("student_id", ForeignKey("students.id"), primary_key=True),
    Column("course_id", ForeignKey("courses.id"), primary_key=True),
)
student_club = Table(
    "student_club",
    Base.metadata,
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE")),
    Column("club_id", Integer, ForeignKey("clubs.id", ondelete="CASCADE")),
    UniqueConstraint("student_id", "club_id"),
    Index("ix_student_club_club", "club_id"),
)
club_sponsor = Table(
    "club_sponsor",
    Base.metadata,
    Column("club_id", ForeignKey("clubs.id"), primary_key=True),
    Column("sponsor_id", ForeignKey("sponsors.id"), primary_key=True),
)


class Student(Base):
    __tablename__ = "students"
    id = Column(Integer, primary_key=True)
    courses = relationship("Course", secondary=student_course, back_populates="students")
    clubs = relationship("Club", secondary="student_club", back_populates="members")


class Course(Base):
    __tablename__ = "courses"
    id = Column(Integer, primary_key=True)
    students = relationship(Student, secondary=student_course, back_populates="courses")


class Club(Base):
    __tablename__ = "clubs"
    id = Column(Integer, primary_key=True)
    name = Column(String(40))
    members = relationship(Student, secondary="student_club", back_populates="clubs")
    sponsors = relationship("Sponsor", secondary=lambda: club_sponsor, backref="clubs")


class Sponsor(Base):
    __tablename__ = "sponsors"
    id = Column(Integer, primary_key=True)
