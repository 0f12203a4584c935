"""Dagster definitions of the pipeline: assets, checks, jobs, resources, and the `vhpipe` CLI."""
