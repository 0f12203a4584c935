"""Connectors: pull new deliveries from each source system, check their contract, pseudonymise
person identifiers at the door, and land accepted rows in `raw` and rejected ones in quarantine."""
