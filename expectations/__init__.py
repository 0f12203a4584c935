"""Great Expectations suites (JSON files in `suites/`), the frames they validate, the code that runs
them (`suites_api`), the publication's own contradictions (`publication`) and the auditor's reports
(`report`). See README.md in this folder."""
