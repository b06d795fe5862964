"""File claims in the warehouse: one statement decides which run holds a file, and planning skips
files another running batch holds (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from sqlalchemy.engine import Engine

import warehouse
from imr.synth.corpus import write_corpus
from pipeline.discovery import discover
from pipeline.planning import plan_inboxes
from warehouse import claim_files, list_claims, release_claims, renew_claims

T0 = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def _keys(n: int) -> list[tuple[str, str, str]]:
    return [(f"{i:064x}", "/srv/inbox", f"letter {i}.pdf") for i in range(n)]


def test_first_claim_wins_until_it_expires(engine: Engine) -> None:
    a = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    b = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    keys = _keys(3)
    assert claim_files(engine, a, keys, 60, now=T0) == set(keys)
    assert claim_files(engine, b, keys, 60, now=T0 + dt.timedelta(seconds=30)) == set()
    assert claim_files(engine, a, keys[:1], 60, now=T0 + dt.timedelta(seconds=30)) == {keys[0]}, "own claim"
    # a's claims expire (its run was killed): b takes them over
    later = T0 + dt.timedelta(seconds=200)
    assert claim_files(engine, b, keys, 60, now=later) == set(keys)
    assert {c.batch_id for c in list_claims(engine)} == {b}
    assert all(c.expires_at == later + dt.timedelta(seconds=60) for c in list_claims(engine))


def test_claims_of_a_finished_batch_are_free(engine: Engine) -> None:
    a = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    keys = _keys(2)
    claim_files(engine, a, keys, 3600, now=T0)
    warehouse.finish_batch(engine, a, "failed")
    b = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    assert claim_files(engine, b, keys, 3600, now=T0) == set(keys)


def test_renew_and_release(engine: Engine) -> None:
    a = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    b = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    keys = _keys(4)
    claim_files(engine, a, keys, 60, now=T0)
    assert renew_claims(engine, a, 60, now=T0 + dt.timedelta(seconds=100)) == 4
    assert claim_files(engine, b, keys, 60, now=T0 + dt.timedelta(seconds=120)) == set(), "renewed: still held"
    assert release_claims(engine, a, keys[:1]) == 1
    assert claim_files(engine, b, keys, 60, now=T0 + dt.timedelta(seconds=120)) == {keys[0]}
    assert release_claims(engine, a) == 3 and release_claims(engine, a, []) == 0
    assert claim_files(engine, b, keys, 60, now=T0 + dt.timedelta(seconds=120)) == set(keys)
    assert len(list_claims(engine, b)) == 4 and list_claims(engine, a) == []


def test_many_keys_in_several_statements(engine: Engine) -> None:
    a = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    keys = _keys(1203)
    assert claim_files(engine, a, keys + keys[:5], 60) == set(keys)
    assert len(list_claims(engine, a)) == 1203


def test_racing_threads_split_the_files(engine: Engine) -> None:
    batches = [warehouse.start_batch(engine, "ingest", ["/srv/inbox"]) for _ in range(4)]
    keys = _keys(200)
    won: dict[str, set[tuple[str, str, str]]] = {}
    start = threading.Barrier(len(batches))

    def grab(batch: str) -> None:
        start.wait()
        got: set[tuple[str, str, str]] = set()
        for k in keys:
            got |= claim_files(engine, batch, [k], 600)
        won[batch] = got

    threads = [threading.Thread(target=grab, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_won = [k for got in won.values() for k in got]
    assert sorted(all_won) == sorted(keys), "every file held by exactly one run"
    by_claim = {c.key: c.batch_id for c in list_claims(engine)}
    assert all(by_claim[k] == b for b, got in won.items() for k in got)


def test_planning_skips_files_another_running_batch_claimed(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    files = write_corpus(inbox, 4, seed=61, formats=("txt",), bad=False)
    (inbox / "gold.jsonl").unlink()
    (inbox / "outside.txt").symlink_to(tmp_path / "nowhere.txt")
    first = warehouse.start_batch(engine, "ingest", [str(inbox)])
    second = warehouse.start_batch(engine, "ingest", [str(inbox)])
    plan1 = plan_inboxes(engine, first, discover([inbox], 0), claim_ttl_seconds=600)
    plan2 = plan_inboxes(engine, second, discover([inbox], 0), claim_ttl_seconds=600)
    assert len(plan1.work) == len(files) and len(plan1.settled) == 1 and plan1.claimed == 0
    assert plan2.claimed == len(files) + 1 and not plan2.work and not plan2.settled
    assert warehouse.list_files(engine, second) == [], "claimed files are not registered, not duplicates"
    # the first run moved one file and died; once its batch is no longer running, the rest is free
    files[0].unlink()
    warehouse.finish_batch(engine, first, "failed")
    third = warehouse.start_batch(engine, "ingest", [str(inbox)])
    plan3 = plan_inboxes(engine, third, discover([inbox], 0), claim_ttl_seconds=600)
    assert len(plan3.work) == len(files) - 1 and plan3.claimed == 0
