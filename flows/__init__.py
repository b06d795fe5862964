"""Prefect flows of imr-etl: they only wire tasks (see ``flows.ingest``) and build deployments
(``flows.deployments``)."""
