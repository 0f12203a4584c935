"""Connector for the Openbaar Ministerie's GPS database, pulled with SQL since a watermark.

Contract (see sources/contracts/om.md): tables casusoverleggen, veelplegersplannen and
strafzaken, each referring to personen and carrying `gewijzigd_op` ('jjjj-mm-dd uu:mm:ss').
Per table the connector pulls the rows changed after its watermark, in gewijzigd_op order;
one pull is one delivery. Rows, ledger line, new watermark and the Wjsg art. 39j provision
log line land in one DuckDB transaction, so a pull is taken exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb
import numpy as np
import pandas as pd
import sqlalchemy as sa

from sources.connectors import ledger, persons, rules
from sources.connectors.distinct import DistinctValues
from sources.connectors.errors import DeliveryError
from sources.pseudonymise import Pseudonymiser

SOURCE = "om"
DATABASE_FILE = "gps.sqlite"
DOEL = "jaarverslag Veiligheidshuis (statistiek)"
PARKETNUMMER = r"\d{2}/\d{6}-\d{2}"
SOORTEN_OVERLEG = ["JCO jeugd", "JCO huiselijk geweld", "JCO veelplegers"]
DOELGROEPEN_PLAN = ["Volwassen veelplegers", "Jeugd"]
PERSON_COLUMNS = ["bsn", "achternaam", "voornamen", "geboortedatum"]
METADATA_DDL = """
create table if not exists raw._watermarks (
    source varchar,
    entity varchar,
    watermark varchar,
    primary key (source, entity)
);
create table if not exists raw._om_verstrekkingen (  -- Wjsg art. 39j: every provision of OM data, kept >= 4 years
    verstrekt_op timestamp,
    entity varchar,
    delivery_id varchar,
    rows integer,
    watermark_from varchar,
    watermark_to varchar,
    doel varchar
);
"""


def iso_date(column: str, optional: bool = False, personal: bool = False) -> rules.Rule:
    """A jjjj-mm-dd date that exists; for a personal field (a birth date) the reason does not repeat the value."""

    def broken(s: pd.Series) -> pd.Series:
        text = s.astype("string").fillna("")
        well_formed = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
        exists = pd.to_datetime(text.where(well_formed), format="%Y-%m-%d", errors="coerce").notna()
        bad = ~(well_formed & exists)
        return bad & (text.str.strip() != "") if optional else bad

    shown = "{column}" if personal else "{column} '{value}'"
    return rules.Rule(column, broken, shown + " is not a date (jjjj-mm-dd)", per_value=True)


def iso_timestamp(column: str) -> rules.Rule:
    """A jjjj-mm-dd uu:mm:ss moment that exists (fractions of a second allowed, as typed databases give them)."""

    def broken(s: pd.Series) -> pd.Series:
        text = s.astype("string").fillna("")
        well_formed = text.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?").fillna(False).astype(bool)
        exists = pd.to_datetime(text.where(well_formed), format="ISO8601", errors="coerce").notna()
        return ~(well_formed & exists)

    return rules.Rule(column, broken, "{column} '{value}' is not a moment (jjjj-mm-dd uu:mm:ss)", per_value=True)


@dataclass(frozen=True)
class Entity:
    """One GPS table: what is selected from it, which rules its rows obey, where it lands."""

    table: str
    key: str
    columns: tuple[str, ...]  # selected and landed as text, key first, gewijzigd_op last
    event_date: str  # the date the age band is taken on
    row_rules: tuple[rules.Rule, ...]

    @property
    def raw_table(self) -> str:
        return f"om_{self.table}"

    def select_sql(self, since_watermark: bool) -> str:
        own = ", ".join(f"t.{c}" for c in self.columns)
        person = ", ".join(f"p.{c}" for c in PERSON_COLUMNS)
        # rows without gewijzigd_op cannot be placed against the watermark; the contract forbids them
        changed = "t.gewijzigd_op > :watermark" if since_watermark else "t.gewijzigd_op is not null"
        return (
            f"select {own}, t.persoon_nr, p.persoon_nr as persoon_in_personen, {person} "
            f"from {self.table} t left join personen p on p.persoon_nr = t.persoon_nr "
            f"where {changed} order by t.gewijzigd_op, t.{self.key}"
        )

    def raw_ddl(self) -> str:
        own = ",\n    ".join(f"{c} varchar" for c in self.columns)
        return f"""
create table if not exists raw.{self.raw_table} (
    {own},
    persoon_sleutel varchar,   -- HMAC of the BSN
    naam_sleutel varchar,      -- HMAC of name and birth date, for persons without a BSN
    leeftijdsklasse varchar,   -- age band on {self.event_date}; the birth date itself is not kept
    is_testpersoon boolean,    -- registered on a test person (flagged at the door, the name is not kept)
    _row_hash varchar,
    _row_number integer,
    _delivery_id varchar,
    _loaded_at timestamp
);
"""


CASUSOVERLEGGEN = Entity(
    table="casusoverleggen",
    key="casusoverleg_id",
    columns=("casusoverleg_id", "parketnummer", "soort_overleg", "datum_overleg", "pleeggemeente", "gewijzigd_op"),
    event_date="datum_overleg",
    row_rules=(
        rules.required("parketnummer"),
        rules.matches("parketnummer", PARKETNUMMER, "a parketnummer (nn/nnnnnn-jj)"),
        rules.required("soort_overleg"),
        rules.one_of("soort_overleg", SOORTEN_OVERLEG),
        rules.required("datum_overleg"),
        iso_date("datum_overleg"),
        rules.required("pleeggemeente"),
        iso_timestamp("gewijzigd_op"),
    ),
)
VEELPLEGERSPLANNEN = Entity(
    table="veelplegersplannen",
    key="plan_id",
    columns=("plan_id", "doelgroep", "gemeente", "startdatum", "einddatum", "gewijzigd_op"),
    event_date="startdatum",
    row_rules=(
        rules.required("doelgroep"),
        rules.one_of("doelgroep", DOELGROEPEN_PLAN),
        rules.required("gemeente"),
        rules.required("startdatum"),
        iso_date("startdatum"),
        iso_date("einddatum", optional=True),  # empty while the plan runs
        iso_timestamp("gewijzigd_op"),
    ),
)
STRAFZAKEN = Entity(
    table="strafzaken",
    key="parketnummer",
    columns=("parketnummer", "feitdatum", "feitcode", "pleeggemeente", "grond", "gewijzigd_op"),
    event_date="feitdatum",
    row_rules=(
        rules.required("parketnummer"),
        rules.matches("parketnummer", PARKETNUMMER, "a parketnummer (nn/nnnnnn-jj)"),
        rules.required("feitdatum"),
        iso_date("feitdatum"),
        rules.required("pleeggemeente"),
        iso_timestamp("gewijzigd_op"),
    ),
)
ENTITIES = (CASUSOVERLEGGEN, VEELPLEGERSPLANNEN, STRAFZAKEN)


@dataclass(frozen=True)
class Pull:
    """The rows of one table changed after `watermark_from`, as text, numbered in pull order from 1."""

    entity: Entity
    watermark_from: str | None
    rows: pd.DataFrame

    @property
    def name(self) -> str:
        return delivery_name(self.entity, self.watermark_from)

    @property
    def watermark_to(self) -> str:
        return self.rows["gewijzigd_op"].iloc[-1]  # pulled in gewijzigd_op order: the last is the highest


def delivery_name(entity: Entity, watermark: str | None) -> str:
    """What a pull is called in the ledger and in errors: the table and where it starts."""
    return f"{entity.table} gewijzigd_op>{watermark or '(start)'}"


def default_url(folder: Path) -> str:
    """The SQLAlchemy URL of the GPS database the simulator writes into `folder`."""
    return f"sqlite:///{(folder / DATABASE_FILE).resolve().as_posix()}"


def extract(
    con: duckdb.DuckDBPyConnection, database_url: str, pseudonymiser: Pseudonymiser | None = None
) -> list[ledger.DeliveryOutcome]:
    """Pull every table changed since its watermark and land each pull as one delivery.

    All tables are read before anything lands, so a table that cannot be read (missing, locked,
    unreachable) raises DeliveryError with nothing of this run landed.
    """
    ledger.ensure_ledger(con)
    con.execute(METADATA_DDL)
    for entity in ENTITIES:
        con.execute(entity.raw_ddl())
    pseudonymiser = pseudonymiser or Pseudonymiser()
    pulls = pull_changes(database_url, {e.table: stored_watermark(con, e) for e in ENTITIES})
    outcomes = [land_pull(con, pull, pseudonymiser) for pull in pulls if not pull.rows.empty]
    return [o for o in outcomes if o is not None]


def stored_watermark(con: duckdb.DuckDBPyConnection, entity: Entity) -> str | None:
    rows = con.execute(
        "select watermark from raw._watermarks where source = ? and entity = ?", [SOURCE, entity.table]
    ).fetchall()  # fetch to the end: DuckDB refuses other work while a result is unfinished
    return rows[0][0] if rows else None


def pull_changes(database_url: str, watermarks: dict[str, str | None]) -> list[Pull]:
    engine = _read_only_engine(database_url)
    shown = _shown(database_url)
    try:
        return [_pull(engine, shown, entity, watermarks[entity.table]) for entity in ENTITIES]
    finally:
        engine.dispose()


def _shown(database_url: str) -> str:
    """The URL as an error message may show it: without its password."""
    try:
        return sa.make_url(database_url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an unreadable URL)"


def _read_only_engine(database_url: str) -> sa.Engine:
    """An engine on the URL; a SQLite file is opened read-only, so a wrong path is an error, not a new file."""
    try:
        url = sa.make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and "uri" not in url.query:
            path = quote(Path(url.database).as_posix(), safe="/:")
            url = url.set(database=f"file:{path}", query={**url.query, "mode": "ro", "uri": "true"})
        return sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError, ValueError) as exc:
        problem = f"cannot use the database URL {_shown(database_url)}: {exc}"
        raise DeliveryError(SOURCE, "GPS database", problem) from exc


def _pull(engine: sa.Engine, shown_url: str, entity: Entity, watermark: str | None) -> Pull:
    try:
        with engine.connect() as connection:
            result = connection.execute(sa.text(entity.select_sql(watermark is not None)), {"watermark": watermark})
            columns = list(result.keys())
            records = result.fetchall()
    except sa.exc.SQLAlchemyError as exc:
        problem = f"cannot read table {entity.table} from {shown_url}: {_cause(exc)}"
        raise DeliveryError(SOURCE, delivery_name(entity, watermark), problem) from exc
    rows = pd.DataFrame(_as_text_columns(records, len(columns)), index=range(len(records)), dtype=object)
    rows.columns = columns
    rows.insert(0, "_row_number", range(1, len(rows) + 1))
    return Pull(entity, watermark, rows)


def _as_text_columns(records: list, width: int) -> dict[int, np.ndarray]:
    """The records' columns, every value as text (or None). A column of text only (SQLite's text) is
    taken as it is; the others value by value (SQLite's whole numbers, a typed database's dates)."""
    table = np.empty((len(records), width), dtype=object)
    if records:  # rows as tuples (numpy reads a database row value by value), columns in one pass in numpy
        table[:] = [tuple(record) for record in records]
    columns = {}
    for position in range(width):
        column = table[:, position]
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind == "integer":  # a key or a number: str() is its text (_as_text's check per value cost 3x)
            column = np.array([None if v is None else str(v) for v in column.tolist()], dtype=object)
        elif kind not in ("string", "empty"):
            column = np.array([v if v is None or type(v) is str else _as_text(v) for v in column], dtype=object)
        columns[position] = column
    return columns


HINTS = {
    "locked": "another process holds a lock on the GPS database; try again later",
    "unable to open": "the database file does not exist or cannot be read",
}


def _cause(exc: sa.exc.SQLAlchemyError) -> str:
    """The driver's own message (without the SQL SQLAlchemy appends), with a hint where one helps."""
    message = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    hints = [hint for fragment, hint in HINTS.items() if fragment in message.lower()]
    return f"{message} ({hints[0]})" if hints else message


def _as_text(value: object) -> str | None:
    """Values land as text; dates and moments from typed databases as ISO text, like SQLite holds them."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def pseudonymise(pull: Pull, pseudonymiser: Pseudonymiser, distinct: DistinctValues) -> pd.DataFrame:
    """The pulled rows with BSN, names and birth date replaced by keyed pseudonyms and an age band."""
    rows = pull.rows
    person = persons.person_columns(
        pseudonymiser, distinct, "bsn", "achternaam", "voornamen", "geboortedatum", pull.entity.event_date
    )
    out = rows[["_row_number", *pull.entity.columns]].copy()
    out["persoon_sleutel"] = person["persoon_sleutel"]
    out["naam_sleutel"] = person["naam_sleutel"]
    out["leeftijdsklasse"] = person["leeftijdsklasse"]
    out["is_testpersoon"] = person["is_testpersoon"].astype(bool)
    out["_row_hash"] = _row_hashes(out)
    return out


def _row_hashes(out: pd.DataFrame) -> list[str]:
    # gewijzigd_op is part of the hash: a row changed back to earlier content is still a new version
    return ledger.row_hashes(out.drop(columns="_row_number"))


def validate(pull: Pull, distinct: DistinctValues | None = None) -> pd.Series:
    """Per pulled row the reason to quarantine it, or None: the table's own rules, then the person's."""
    return rules.first_violation(pull.rows, [*own_rules(pull.entity), *person_rules(pull.rows)], distinct)


def own_rules(entity: Entity) -> list[rules.Rule]:
    """The rules on the table's own columns, which land (and can be checked again from the quarantine)."""
    return [*rules.field_lengths(entity.columns), *entity.row_rules]


def person_rules(rows: pd.DataFrame) -> list[rules.Rule]:
    """The row refers to a person in personen whose BSN (when filled) and birth date are valid."""
    not_in_personen = rules.Rule(
        "persoon_nr",
        lambda s: rows.loc[s.index, "persoon_in_personen"].isna(),
        "persoon_nr '{value}' is not in personen",
    )
    return [
        rules.required("persoon_nr"),
        not_in_personen,
        *rules.field_lengths(PERSON_COLUMNS),
        rules.elfproef("bsn"),
        iso_date("geboortedatum", optional=True, personal=True),
    ]


def land_pull(
    con: duckdb.DuckDBPyConnection, pull: Pull, pseudonymiser: Pseudonymiser
) -> ledger.DeliveryOutcome | None:
    """Land one pull as a delivery with its watermark and provision log line; None if it was taken before."""
    distinct = DistinctValues(pull.rows)  # the pseudonyms and the rules look at the same columns
    rows = pseudonymise(pull, pseudonymiser, distinct)
    # the content hash covers the pseudonymised rows: a hash of clear rows would let a BSN be guessed back
    delivery = ledger.Delivery(SOURCE, pull.name, hashlib.sha256("\n".join(rows["_row_hash"]).encode()).hexdigest())
    if delivery.delivery_id in ledger.loaded_deliveries(con, SOURCE):
        # the very same pull again (a watermark was reset): nothing lands, but the provision happened
        _in_transaction(con, _record_provision(pull, delivery, len(rows)))
        return None
    # persoon_nr, BSN, names and birth date do not land: a refused row records whether it passed their rules
    candidates, quarantined = rules.split_refused(pull.rows, rows, validate(pull, distinct), person_rules(pull.rows))
    repeated = ledger.repeated_rows(con, pull.entity.raw_table, candidates)
    return ledger.land_delivery(
        con,
        delivery,
        pull.entity.raw_table,
        candidates[~repeated],
        quarantined,
        int(repeated.sum()),
        after_insert=_record_provision(pull, delivery, len(rows)),
    )


def _record_provision(
    pull: Pull, delivery: ledger.Delivery, received: int
) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """Inside the delivery's transaction: advance the watermark and log the provision (Wjsg art. 39j)."""

    def record(con: duckdb.DuckDBPyConnection) -> None:
        _advance_watermark(con, pull)
        con.execute(
            "insert into raw._om_verstrekkingen values (?, ?, ?, ?, ?, ?, ?)",
            [
                datetime.now(UTC).replace(tzinfo=None),
                pull.entity.table,
                delivery.delivery_id,
                received,
                pull.watermark_from,
                pull.watermark_to,
                DOEL,
            ],
        )

    return record


def _in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    con.execute("begin transaction")
    try:
        work(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _advance_watermark(con: duckdb.DuckDBPyConnection, pull: Pull) -> None:
    con.execute(
        "insert into raw._watermarks values (?, ?, ?) "
        "on conflict (source, entity) do update set watermark = excluded.watermark",
        [SOURCE, pull.entity.table, pull.watermark_to],
    )
