"""The calendar the nightly load runs on: one partition per delivery day, in Dutch time."""

import dagster as dg

TIMEZONE = "Europe/Amsterdam"
DAILY = dg.DailyPartitionsDefinition(start_date="2009-01-01", timezone=TIMEZONE)
