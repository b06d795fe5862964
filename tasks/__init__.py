"""Prefect tasks: thin wrappers over the Prefect-free core (``tasks.ingest``; ``tasks.publish``)."""
