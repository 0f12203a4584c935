"""The PostgreSQL warehouse: the same pipeline on a database server (VH_WAREHOUSE_URL).

The connectors land in the DuckDB file as always (ledger, quarantine, watermarks: one transaction
per delivery); `replication` copies the raw schema into PostgreSQL after every extract step, dbt
builds staging to marts there, and `snapshot` reads the built warehouse back into a DuckDB file
for the checks, the reports and the published copy. `roles` gives analysts the marts only.
"""
