"""Flask-SQLAlchemy many-to-many through db.Table, db.backref with lazy, and single-table
inheritance with implicit table names."""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

song_playlist = db.Table(
    "song_playlist",
    db.Column("song_id", db.Integer, db.ForeignKey("song.id"), primary_key=True),
    db.Column("playlist_id", db.Integer, db.ForeignKey("playlist.id"), primary_key=True),
)


class Song(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(100), nullable=False)
    kind = db.Column(db.String(20))
    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "song"}


class LiveSong(Song):
    venue = db.Column(db.String(100))
    __mapper_args__ = {"polymorphic_identity": "live"}


class Playlist(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    songs = db.relationship(
        "Song", secondary=song_playlist, backref=db.backref("playlists", lazy="dynamic"))
