"""`vhpipe bench`: the pipeline's time and memory at several scales, against a DuckDB floor and a pandas peer.

runner.py runs the measurements (worker.py, one process each), stages.py the pipeline's stages as the
pipeline runs them, floor.sql/floor.py and pandas_peer.py the two baselines, report.py the tables.
"""
