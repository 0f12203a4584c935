-- The analysts' access to the PostgreSQL warehouse: the marts, read only, nothing else.
-- Run by `vhpipe postgres-roles` as the pipeline's own user (the one in VH_WAREHOUSE_URL, which
-- owns the schemas and runs dbt), after it created the group role {role}. Safe to run again.

-- the layers exist before dbt's first build, so the grants below hold from the start
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists reference;
create schema if not exists audit;
create schema if not exists marts;

-- raw (pseudonymised person-level rows), staging, intermediate, reference and audit (the
-- lineage of every cell down to person keys) stay the pipeline's: no one else may even look in
revoke all on schema raw, staging, intermediate, reference, audit from public;
revoke all on schema raw, staging, intermediate, reference, audit from {role};
revoke all on all tables in schema raw, staging, intermediate, reference, audit from {role};

-- the marts: read what is there now, and every table dbt creates there later (dbt replaces a
-- table by a new one on every build, so a grant on today's tables alone would be lost tonight)
grant usage on schema marts to {role};
grant select on all tables in schema marts to {role};
alter default privileges in schema marts grant select on tables to {role};
revoke create on schema marts from {role};
