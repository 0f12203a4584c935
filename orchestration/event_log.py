"""Dagster's SQLite event log, kept open between events.

Dagster's own SQLite event log opens a new SQLAlchemy engine and connection for every event it
stores and closes it afterwards: each close checkpoints the write-ahead log to disk, each commit
syncs it. A nightly run stores a few thousand events (one per partition of a year of police
drops, per dbt model and per dbt test), so that was a large part of a run's time, more on a busy
disk. This storage keeps one connection per database file open (the lock Dagster already takes
serialises its use), commits without syncing (`synchronous=NORMAL`: in WAL mode an application
crash loses nothing, a power cut at most the last events), and checkpoints at most once a second,
so that the UI, which watches the database file for changes, still shows a running run's events.

`dagster.yaml` (written by `prepare_environment`) names this class as the event log storage.
"""

from __future__ import annotations

import atexit
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

OPEN_DATABASES = 8  # a UI reading many runs' logs keeps the most recent ones open, not all
CHECKPOINT_SECONDS = 1.0


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._checkpointed: dict[str, float] = {}
        self._tables_seen: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)
        atexit.register(self._close_at_exit)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> KeptOpenSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
                now = time.monotonic()
                if now - self._checkpointed.get(shard, 0.0) >= CHECKPOINT_SECONDS:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                    self._checkpointed[shard] = now

    def _engine(self, shard: str) -> Engine:
        if shard in self._engines:
            self._engines.move_to_end(shard)
            return self._engines[shard]
        engine = db.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=StaticPool,  # one connection, used under the storage's lock from any thread
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        db.event.listen(engine, "connect", _no_sync_on_commit)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_DATABASES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        """Dagster asks this for every asset and check event, opening a new engine each time; a table
        once there stays (until `wipe`), so only a missing one is asked again."""
        if table_name not in self._tables_seen:
            if not super().has_table(table_name):
                return False
            self._tables_seen.add(table_name)
        return True

    def _close_all(self) -> None:
        """Close every connection: the last close checkpoints, so readers see every event."""
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def _close_at_exit(self) -> None:
        """As `_close_all`, but never waits long at exit for a thread that holds the lock."""
        if self._db_lock.acquire(timeout=1):
            self._db_lock.release()
            self._close_all()

    def wipe(self) -> None:
        self._close_all()  # the files are deleted: no connection may keep them
        self._tables_seen.clear()
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


def _no_sync_on_commit(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
