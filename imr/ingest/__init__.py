"""Drop folders and the file lifecycle (Prefect-free).

* ``discovery``: which inbox files are ready (stable, visible, inside the inbox) and their SHA-256;
* ``lifecycle``: archive / quarantine moves that never overwrite, sidecar reason files;
* ``runner``: the steps of one ingest run over the warehouse and the expectations, which the
  Prefect tasks in ``tasks/`` wrap one by one.
"""
