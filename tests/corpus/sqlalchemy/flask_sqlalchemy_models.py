"""Flask-SQLAlchemy: db.Model with implicit snake_case table names, db.Column, db.relationship."""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class BlogAuthor(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), index=True, unique=True)
    posts = db.relationship("BlogPost", backref="author", lazy="dynamic")


class BlogPost(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.String(140))
    timestamp = db.Column(db.DateTime)
    blog_author_id = db.Column(db.Integer, db.ForeignKey("blog_author.id"))


class HTTPLog(db.Model):
    __tablename__ = "http_logs"
    id = db.Column(db.Integer, primary_key=True)
    status = db.Column(db.SmallInteger, nullable=False, default=200)
