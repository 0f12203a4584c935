"""Great Expectations suites (kept as JSON files in `suites/`) and the code that runs them."""
