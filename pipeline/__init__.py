"""Drop folders and the file lifecycle (Prefect-free).

Modules, in the order a run uses them:

* ``discovery``: which inbox files are ready (visible ``.pdf``/``.txt`` in any case, stable for
  ``IMR_STABLE_SECONDS``, inside the inbox) and their SHA-256; symlinks leading outside are refused;
* ``planning``: every file seen gets a ``source_files`` row in the batch; bytes already loaded are
  ``duplicate`` at once; a committed outcome whose move never happened is *recovered* (the move is
  finished, nothing is counted twice); a backfill skips bytes with any committed outcome; a rerun
  finds its parent batch's files where the ledger says they are;
* ``stages``: per chunk, extract -> validate (one GX run) -> load (one transaction per chunk) ->
  settle (archive / quarantine with a ``<name>.reason.json`` sidecar, only after the commit);
* ``lifecycle``: the moves themselves (dated folders, relative path kept, never overwrite);
* ``summary``: counts from the ledger, stored in the batch row; the verdict;
* ``run``: the one run order (:func:`pipeline.run.run_batch`), handed its steps: the Prefect tasks
  of ``tasks/ingest.py`` (what the flows in ``flows/ingest.py`` wire) or ``LocalSteps`` (plain calls);
* ``lanes``: the scheduling policy (how many chunks at once, in the flow's process or on workers);
* ``stop``: SIGINT/SIGTERM as a stop between letters, each chunk's progress (``Pulse``);
* ``work``, ``ledger``, ``isolation``, ``worker``, ``drift``, ``artifacts``, ``names``: the work
  items and tallies, the ledger's reads, the isolated extractor, worker processes, drift
  monitoring, artifact text, file names as logs show them;
* ``review``, ``review_form``: the review queue of letters set aside for a reason a person can
  settle (list, show, resolve through the same validation and load, reject; every action audited)
  and its form as data (what the Prefect UI's review run asks, under ``IMR_REVIEW_FORM_SHOWS``).

Policies worth knowing:

* a file is moved only after its outcome is committed; a crash before the commit leaves it in the
  inbox (taken again by the next run, or by ``imr rerun <batch>``), a crash after the commit and
  before the move is finished by the next run (``recovered``);
* re-dropping bytes that were loaded records a ``duplicate`` (archived, nothing loaded); re-dropping
  bytes that were rejected or quarantined processes them again (the extractor may have improved);
* letters of one case number in other bytes are versions of the case, all kept: the latest decision
  date counts, whatever order, chunk or run they come in (``warehouse.versions``); a copy of a
  determination the case holds is ``linked``, and a letter that differs from another of the same
  decision date is quarantined with ``case_version_conflict`` (both kept, in review);
* a letter set aside for a reason a person can settle (a decision not read, a date in doubt) waits
  in the review queue with its partial record and evidence; a reviewed letter is never overwritten
  silently by a rerun, backfill or re-drop of the same bytes;
* a backfill leaves its files in place unless asked to move them: they are history, and the ledger
  (not the folder) remembers what was done, which is what makes it resumable.

Logs carry file names relative to their inbox, case numbers, counts and reason codes only.
"""
