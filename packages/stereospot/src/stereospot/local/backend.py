"""The local Backend: one SQLite file and one folder under the data folder."""

from __future__ import annotations

import time
from collections.abc import Callable

from stereospot.local.database import Database
from stereospot.local.jobs import SQLiteCompletions, SQLiteJobStore, SQLiteTriggers
from stereospot.local.objects import FolderObjectStore, Notification
from stereospot.local.queue import SQLiteQueue
from stereospot.ports import Backend, QueuePair, Queues
from stereospot.settings import Settings


def local_backend(settings: Settings, clock: Callable[[], float] = time.time) -> Backend:
    db = Database(settings.data_dir / "stereospot.db")
    db.open()

    def pair(name: str) -> QueuePair:
        dead = SQLiteQueue(db, f"{name}-dlq", visibility=settings.visibility_timeout, clock=clock)
        main = SQLiteQueue(
            db,
            name,
            visibility=settings.visibility_timeout,
            max_receives=settings.max_receives,
            dead=dead,
            clock=clock,
        )
        return QueuePair(main, dead)

    queues = Queues(
        chunking=pair("chunking"),
        video=pair("video-worker"),
        reassembly=pair("reassembly"),
    )
    # The same routing as the S3 notifications provision.py configures on AWS.
    objects = FolderObjectStore(
        settings.data_dir / "objects",
        [
            Notification("input", "input/", queues.chunking.main),
            Notification("input", "segments/", queues.video.main),
        ],
        clock,
    )
    return Backend(
        jobs=SQLiteJobStore(db),
        completions=SQLiteCompletions(db),
        triggers=SQLiteTriggers(db),
        queues=queues,
        objects=objects,
        close=db.close,
        changes=db,
    )
