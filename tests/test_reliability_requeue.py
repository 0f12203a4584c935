"""Quarantined rows keep their reason and can be landed after a fix: a corrected re-delivery for a file
source, or `requeue` of the stored records after a rule was relaxed; the ledger stays balanced."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import duckdb
import numpy as np
import pytest
from reliability import drop_text, ledger_problems, mutatie

from orchestration import maintenance
from sources import requeue
from sources.connectors import politie, rules, vh
from sources.pseudonymise import Pseudonymiser
from sources.simulator import vh_api, vh_register
from sources.simulator.defects import DefectRates
from sources.simulator.world import generate_world

KEY = Pseudonymiser(b"test-key-requeue")
NEW_CODE = "ZRG"  # a doelgroep the register added before the connector's code list knew it


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "vh.duckdb")) as connection:
        yield connection


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> Path:
    """A clean register in which two meldingen carry the new code, one of them on a client with a bad BSN."""
    folder = tmp_path_factory.mktemp("register")
    vh_register.publish(
        generate_world(2011, 1, 0, DefectRates.none()), folder, DefectRates.none(), np.random.default_rng(0)
    )
    with closing(sqlite3.connect(folder / vh_register.STORE_FILE)) as store, store:
        store.execute("update meldingen set doelgroep = ? where id in ('VHM-0000001', 'VHM-0000002')", [NEW_CODE])
        store.execute("update meldingen set client_bsn = '123456789' where id = 'VHM-0000002'")
    return folder


def pull(register: Path, con) -> vh.ledger.DeliveryOutcome:
    with vh_api.serve(register) as url:
        return vh.extract(con, url, KEY)[0]


def knowing_the_new_code(monkeypatch) -> None:
    """The connector's fix: the new doelgroep joins the code list of the meldingen endpoint."""
    meldingen, *others = vh.ENDPOINTS
    relaxed = [
        rules.one_of("doelgroep", [*vh.DOELGROEPEN, NEW_CODE])
        if r.column == "doelgroep" and "one of" in r.reason
        else r
        for r in meldingen.row_rules
    ]
    monkeypatch.setattr(vh, "ENDPOINTS", (dataclasses.replace(meldingen, row_rules=relaxed), *others))


def test_records_stopped_by_a_rule_since_relaxed_land_on_requeue_as_a_delivery_of_their_own(
    register, con, tmp_path, monkeypatch
):
    meldingen = pull(register, con)
    quarantined = dict(con.execute("select row_number, reason from raw._quarantine").fetchall())
    assert len(quarantined) == 2 and all("ZRG" in reason for reason in quarantined.values())
    assert requeue.requeue(con, meldingen.delivery.delivery_id).landed is None  # the rule still stands

    knowing_the_new_code(monkeypatch)
    outcome = requeue.requeue(con, meldingen.delivery.delivery_id)
    assert (outcome.landed.received, outcome.landed.accepted, outcome.landed.duplicates) == (1, 1, 0)
    assert outcome.landed.delivery.name == f"requeue of {meldingen.delivery.delivery_id}"
    (stays,) = outcome.still_quarantined.values()
    assert "only a corrected delivery from the source can fix this row" in stays  # its BSN failed the 11-proef
    # the requeued row is exactly the row the connector lands when it knows the code from the start
    with duckdb.connect(str(tmp_path / "fresh.duckdb")) as fresh:
        pull(register, fresh)
        expected = fresh.execute(
            "select _row_hash, _row_number from raw.vh_meldingen where doelgroep_code = ?", [NEW_CODE]
        )
        expected = expected.fetchall()
    landed = con.execute(
        "select _row_hash, _row_number, _delivery_id from raw.vh_meldingen where doelgroep_code = ?", [NEW_CODE]
    )
    assert landed.fetchall() == [(*expected[0], outcome.landed.delivery.delivery_id)]
    resolved = con.execute("select row_number, resolved_by from raw._quarantine order by row_number").fetchall()
    assert [by for _, by in resolved].count(outcome.landed.delivery.delivery_id) == 1
    assert ledger_problems(con) == []
    assert requeue.requeue(con, meldingen.delivery.delivery_id).landed is None  # a second requeue changes nothing
    assert ledger_problems(con) == []


def test_a_record_quarantined_before_its_person_check_was_recorded_stays(register, con, monkeypatch):
    meldingen = pull(register, con)
    rows = con.execute("select row_number, record::varchar from raw._quarantine").fetchall()
    for row_number, record in rows:  # as the connector stored them before it recorded the person check
        older = {k: v for k, v in json.loads(record).items() if k != rules.PERSON_FIELDS_VALID}
        con.execute("update raw._quarantine set record = ? where row_number = ?", [json.dumps(older), row_number])
    knowing_the_new_code(monkeypatch)
    outcome = requeue.requeue(con, meldingen.delivery.delivery_id)
    assert outcome.landed is None and len(outcome.still_quarantined) == 2


@pytest.fixture
def police(tmp_path, con) -> tuple[Path, str]:
    """A drop whose second row names a rol the contract does not know, landed: (folder, delivery id)."""
    folder = tmp_path / "politie"
    folder.mkdir()
    rows = [mutatie(1), mutatie(1, Rol="Melder", BSN="", Achternaam="Coenen"), mutatie(2)]
    (folder / "BVH_VH_mutaties_20110103.csv").write_text(drop_text(rows), encoding="cp1252")
    (outcome,) = politie.extract(con, folder, KEY)
    assert (outcome.accepted, outcome.quarantined) == (2, 1)
    return folder, outcome.delivery.delivery_id


def test_a_file_source_fixes_a_row_by_a_corrected_redelivery(police, con):
    folder, _ = police
    reason = con.execute("select reason from raw._quarantine").fetchone()[0]
    assert reason == "Rol 'Melder' is not one of Verdachte, Slachtoffer, Betrokkene, Getuige"
    corrected = [mutatie(1), mutatie(1, Rol="Betrokkene", BSN="", Achternaam="Coenen"), mutatie(2)]
    (folder / "BVH_VH_mutaties_20110103_herlevering.csv").write_text(drop_text(corrected), encoding="cp1252")
    (redelivery,) = politie.extract(con, folder, KEY)
    assert (redelivery.received, redelivery.accepted, redelivery.duplicates) == (3, 1, 2)
    assert con.execute("select count(*) from raw.politie_mutaties where rol = 'Betrokkene'").fetchone() == (1,)
    assert ledger_problems(con) == []


def test_vhpipe_requeue_lands_the_row_once_the_rule_knows_its_value(police, con, tmp_path, monkeypatch, capsys):
    _, delivery_id = police
    con.close()  # the command opens the warehouse itself, under the writer lock
    warehouse = tmp_path / "data" / "warehouse" / "vh.duckdb"
    warehouse.parent.mkdir(parents=True)
    (tmp_path / "vh.duckdb").rename(warehouse)
    monkeypatch.setenv("VH_DATA_DIR", str(tmp_path / "data"))
    assert maintenance.main(["requeue", "--delivery", delivery_id]) == 0
    assert "row 2 stays: Rol 'Melder' is not one of" in capsys.readouterr().out
    monkeypatch.setattr(politie, "ROLLEN", [*politie.ROLLEN, "Melder"])
    assert maintenance.main(["requeue", "--delivery", delivery_id]) == 0
    assert "landed as politie:requeue of politie:BVH_VH_mutaties_20110103.csv" in capsys.readouterr().out
    with duckdb.connect(str(warehouse)) as after:
        assert after.execute("select count(*) from raw.politie_mutaties where rol = 'Melder'").fetchone() == (1,)
        assert ledger_problems(after) == []
    assert maintenance.main(["requeue", "--delivery", "politie:nergens.csv:000000000000"]) == 2
    assert "no delivery 'politie:nergens.csv:000000000000' in the ledger" in capsys.readouterr().err
