"""Versions of a case (issue 18, item 4: "one answer whatever the order").

Letters of one case number are versions of one determination: all are kept; the latest decision
date is current; two letters that differ on the same (latest) decision date are in review; copies
(same determination, other bytes) are linked. What is current, and what `imr export` (with and
without ``--all-versions``) prints, depends on the set of letters only: never on their arrival
order, batch split, chunking, worker count or the database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Sequence
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

import warehouse as w
from imr.errors import REASON_CODES
from imr.models import LetterRecord, Source
from tests.fixtures_db import wipe
from tests.pipeline_helpers import OLD
from tests.warehouse_helpers import make_record
from warehouse import schema as s
from warehouse import versions as wv
from warehouse import views as v

CONTRACT = Path(__file__).resolve().parents[2] / "imr" / "contract" / "letter-record.schema.json"
DB_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --------------------------------------------------------------------------- letters of a scenario


@dataclasses.dataclass(frozen=True)
class Spec:
    """One distinct letter (distinct bytes) of a scenario."""

    n: int  # its index: file name and sha256
    case: str | None
    day: int  # decision date: 2013-08-<day>
    variant: int  # 0 or 1: the first item's decision (letters of one date and variant are copies)

    @property
    def sha(self) -> str:
        return f"{self.n + 1:064x}"

    @property
    def date(self) -> dt.date:
        return dt.date(2013, 8, self.day)

    def record(self) -> LetterRecord:
        rec = make_record(sha=self.sha, path=f"{self.n:02d}.txt", case=self.case)
        assert rec.letter is not None
        rec.letter.decision_date = self.date
        if self.variant:
            rec.letter.items[0].decision = "overturned"
            rec.letter.outcome = "overturned"
        return rec


def canonical(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), sort_keys=True, ensure_ascii=False)


def expected_exports(specs: Sequence[Spec]) -> tuple[str, str]:
    """What `imr export` and `imr export --all-versions` must print, by the rule as documented
    (written here again, independently of warehouse.versions)."""
    standing: dict[int, dict[str, Any]] = {}
    by_case: dict[str | None, list[Spec]] = defaultdict(list)
    for sp in specs:
        by_case[sp.case].append(sp)
    for case, letters in by_case.items():
        if case is None:
            standing.update({sp.n: {"current": True, "superseded_by": None} for sp in letters})
            continue
        days = sorted({sp.day for sp in letters})
        for i, day in enumerate(days):
            on_day = sorted((sp for sp in letters if sp.day == day), key=lambda sp: sp.sha)
            originals = {}
            for sp in on_day:
                original = originals.setdefault(sp.variant, sp)
                if original is not sp:  # a copy
                    standing[sp.n] = {"current": False, "superseded_by": original.sha}
            for sp in originals.values():
                if i + 1 < len(days):
                    successor = min((x for x in letters if x.day == days[i + 1]), key=lambda x: x.sha)
                    standing[sp.n] = {"current": False, "superseded_by": successor.sha}
                else:
                    standing[sp.n] = {"current": len(originals) == 1, "superseded_by": None}
    ordered = sorted(specs, key=lambda sp: (sp.case is None, sp.case or "", sp.date, sp.sha))
    every = [{**sp.record().to_dict(), "version": standing[sp.n]} for sp in ordered]
    current = [sp.record().to_dict() for sp in ordered if standing[sp.n]["current"]]
    return canonical(current), canonical(every)


def exports(engine: Engine) -> tuple[str, str]:
    """`imr export` and `imr export --all-versions` as printed (through the command), canonical."""
    return canonical(run_export(engine)), canonical(run_export(engine, "--all-versions"))


def run_export(engine: Engine, *flags: str) -> list[dict[str, Any]]:
    from imr.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["export", "--db", engine.url.render_as_string(hide_password=False), *flags]) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


@st.composite
def scenarios(draw: st.DrawFn) -> list[Spec]:
    """Letters of up to three case numbers (decision dates from a few days, so the same date comes
    up; two content variants, so copies and same-date conflicts do) and a letter without one."""
    specs: list[Spec] = []
    for c in range(draw(st.integers(1, 3))):
        for _ in range(draw(st.integers(1, 4))):
            day, variant = draw(st.integers(2, 5)), draw(st.integers(0, 1))
            specs.append(Spec(len(specs), f"CM13-{c + 1:07d}", day, variant))
    for _ in range(draw(st.integers(0, 1))):
        specs.append(Spec(len(specs), None, draw(st.integers(2, 5)), 0))
    return specs


@st.composite
def arrivals(draw: st.DrawFn, specs: list[Spec]) -> list[list[list[Spec]]]:
    """An arrival: the letters (and some dropped again: the same file, a duplicate) in a random
    order, cut into batches, each cut into chunks."""
    files = [*specs, *draw(st.lists(st.sampled_from(specs), max_size=2))]
    order = draw(st.permutations(files))
    batches = _cut(order, draw(st.lists(st.integers(1, len(order)), max_size=3)))
    return [_cut(b, draw(st.lists(st.integers(1, len(b)), max_size=2))) for b in batches]


def _cut(seq: Sequence[Spec], at: Sequence[int]) -> list[list[Spec]]:
    cuts = sorted({0, *(a for a in at if a < len(seq)), len(seq)})
    return [list(seq[a:b]) for a, b in itertools.pairwise(cuts) if b > a]


def load_arrival(engine: Engine, arrival: Sequence[Sequence[Sequence[Spec]]]) -> list[w.ChunkLoad]:
    """Each batch: its files registered, then each chunk through ``warehouse.load_letters`` (the
    chunk load of ``pipeline.stages.load_chunk``)."""
    results: list[w.ChunkLoad] = []
    for chunks in arrival:
        batch = w.start_batch(engine, "ingest", ["/in"])
        for chunk in chunks:
            records = [sp.record() for sp in chunk]
            new = [w.NewFile("/in", r.source.path, r.source.sha256, 100, r.source.media_type) for r in records]
            ids = w.register_files(engine, batch, new)
            results += w.load_letters(engine, [(fid, r, []) for fid, r in zip(ids, records, strict=True)])
        w.finish_batch(engine, batch, "completed")
    return results


def current_per_case(engine: Engine) -> dict[str, int]:
    lt = s.letters
    stmt = (
        sa.select(lt.c.case_number, sa.func.count())
        .where(lt.c.version_status == "current", lt.c.case_number.is_not(None))
        .group_by(lt.c.case_number)
    )
    with engine.connect() as conn:
        return {c: int(n) for c, n in conn.execute(stmt)}


# --------------------------------------------------------------------------- the rule


def _version(n: int, day: int | None, key: str = "k") -> wv.Version:
    return wv.Version(f"L{n}", f"{n:064x}", dt.date(2013, 8, day) if day else None, key)


def test_the_latest_decision_date_is_current_and_supersedes_the_one_before() -> None:
    got = wv.standings([_version(3, 9), _version(1, 2), _version(2, 5), _version(4, None)])
    assert got == {
        "L1": wv.Standing("superseded", "L2"),
        "L2": wv.Standing("superseded", "L3"),
        "L3": wv.Standing("current"),
        "L4": wv.Standing("superseded", "L1"),  # no decision date: before every dated letter
    }


def test_copies_point_at_their_original_and_a_differing_letter_of_the_same_date_is_in_review() -> None:
    copies = wv.standings([_version(2, 5), _version(1, 5)])
    assert copies == {"L1": wv.Standing("current"), "L2": wv.Standing("superseded", "L1")}
    review = wv.standings([_version(1, 2), _version(3, 5, "x"), _version(2, 5, "y"), _version(4, 5, "y")])
    assert review == {
        "L1": wv.Standing("superseded", "L2"),  # the smallest sha256 of the next date
        "L2": wv.Standing("in_review"),
        "L3": wv.Standing("in_review"),
        "L4": wv.Standing("superseded", "L2"),  # a copy of L2
    }
    # a later letter settles it: the letters in review are superseded
    later = wv.standings([_version(3, 5, "x"), _version(2, 5, "y"), _version(9, 7)])
    assert later["L9"] == wv.Standing("current") and later["L2"] == later["L3"] == wv.Standing("superseded", "L9")


@given(
    letters=st.lists(st.tuples(st.sampled_from([None, 2, 3, 4]), st.sampled_from("xy")), min_size=1, max_size=8),
    seed=st.randoms(use_true_random=False),
)
def test_standings_depend_on_the_set_of_letters_only(
    letters: list[tuple[int | None, str]], seed: random.Random
) -> None:
    versions = [_version(n + 1, day, key) for n, (day, key) in enumerate(letters)]
    shuffled = list(versions)
    seed.shuffle(shuffled)
    got = wv.standings(versions)
    assert wv.standings(shuffled) == got
    assert sum(st.status == "current" for st in got.values()) <= 1
    assert all((st.status == "superseded") == (st.superseded_by is not None) for st in got.values())


def test_the_conflict_reason_code_is_known() -> None:
    assert "case_version_conflict" in REASON_CODES
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "`case_version_conflict`" in readme


# --------------------------------------------------------------------------- through the load path


@DB_SETTINGS
@given(data=st.data(), specs=scenarios())
def test_any_order_batch_split_and_chunking_gives_one_answer(
    engine: Engine, data: st.DataObject, specs: list[Spec]
) -> None:
    """The property of issue 18, item 4: through the chunk load, in random orders, batch splits
    and chunks, `imr export` and `imr export --all-versions` print what the rule says, always."""
    want = expected_exports(specs)
    for _ in range(2):
        wipe(engine)
        arrival = data.draw(arrivals(specs))
        results = load_arrival(engine, arrival)
        assert all(isinstance(r, w.LoadResult) for r in results), results
        assert exports(engine) == want
        assert set(current_per_case(engine).values()) <= {1}


def test_letters_and_files_after_an_amendment_and_a_conflict(engine: Engine) -> None:
    first, amended, clash = Spec(0, "CM13-0000001", 2, 0), Spec(1, "CM13-0000001", 5, 0), Spec(2, "CM13-0000001", 5, 1)
    copy = Spec(3, "CM13-0000001", 2, 0)
    (r1,), (r2,) = load_arrival(engine, [[[first]]]), load_arrival(engine, [[[amended]]])
    assert isinstance(r1, w.LoadResult) and isinstance(r2, w.LoadResult)
    assert (r1.status, r2.status) == ("loaded", "loaded")
    assert [r.source.sha256 for r in w.export_records(engine)] == [amended.sha]
    (r4,) = load_arrival(engine, [[[copy]]])  # a copy of the first letter: linked, superseded
    assert isinstance(r4, w.LoadResult) and r4.status == "linked"
    (r3,) = load_arrival(engine, [[[clash]]])
    assert isinstance(r3, w.LoadResult) and r3.status == "quarantined"
    assert r3.reasons == (("case_version_conflict", REASON_CODES["case_version_conflict"]),)
    f = w.get_file(engine, r3.file_id)
    assert f is not None and (f.status, f.reason_codes, f.letter_id) == (
        "quarantined",
        ["case_version_conflict"],
        r3.letter_id,
    )
    assert w.quarantine_reasons_of(engine, r3.file_id) == {
        "case_version_conflict": REASON_CODES["case_version_conflict"]
    }
    # in review: nothing of the case is current; both letters of the latest date are kept
    assert list(w.export_records(engine)) == []
    every = {r.source.sha256: ver.to_dict() for r, ver in w.export_versions(engine)}
    assert every == {
        first.sha: {"current": False, "superseded_by": amended.sha},
        copy.sha: {"current": False, "superseded_by": first.sha},
        amended.sha: {"current": False, "superseded_by": None},
        clash.sha: {"current": False, "superseded_by": None},
    }
    # the same bytes again: still set aside while the case is in review
    (again,) = load_arrival(engine, [[[clash]]])
    assert isinstance(again, w.LoadResult) and again.status == "quarantined"
    # a later letter settles the case
    (later,) = load_arrival(engine, [[[Spec(4, "CM13-0000001", 9, 0)]]])
    assert isinstance(later, w.LoadResult) and later.status == "loaded"
    assert [r.source.sha256 for r in w.export_records(engine)] == [Spec(4, None, 9, 0).sha]
    (dup,) = load_arrival(engine, [[[clash]]])
    assert isinstance(dup, w.LoadResult) and dup.status == "duplicate"


def test_views_and_report_read_the_current_letters(engine: Engine) -> None:
    from reports import Period, collect

    specs = [Spec(0, "CM13-0000001", 2, 0), Spec(1, "CM13-0000001", 5, 1), Spec(2, "CM13-0000002", 3, 0)]
    specs += [Spec(3, "CM13-0000003", 4, 0), Spec(4, "CM13-0000003", 4, 1)]  # in review
    load_arrival(engine, [[specs]])
    with engine.connect() as conn:
        letters = sorted(conn.execute(sa.select(v.v_letters.c.case_number)).scalars())
        items = conn.execute(sa.select(sa.func.count()).select_from(v.v_item_outcomes)).scalar_one()
        versions = {
            r.content_sha256: (r.version_status, r.is_current, r.superseded_by_sha256)
            for r in conn.execute(sa.select(v.v_letter_versions))
        }
    assert letters == ["CM13-0000001", "CM13-0000002"]
    assert items == 4
    assert versions == {
        specs[0].sha: ("superseded", 0, specs[1].sha),
        specs[1].sha: ("current", 1, None),
        specs[2].sha: ("current", 1, None),
        specs[3].sha: ("in_review", 0, None),
        specs[4].sha: ("in_review", 0, None),
    }
    data = collect(engine, Period())
    assert data.totals.letters == 2 and data.totals.items == 4


def test_export_records_validate_against_the_contract_and_keep_their_form(engine: Engine) -> None:
    schema = json.loads(CONTRACT.read_text(encoding="utf-8"))
    unique = Spec(0, "CM13-0000009", 2, 0)
    specs = [unique, Spec(1, "CM13-0000001", 2, 0), Spec(2, "CM13-0000001", 5, 1), Spec(3, None, 3, 0)]
    load_arrival(engine, [[specs]])
    plain, every = run_export(engine), run_export(engine, "--all-versions")
    for record in [*plain, *every]:
        jsonschema.validate(record, schema)
    assert all("version" not in r for r in plain)
    # a letter with a case number of its own is exported exactly as extracted, as before
    assert next(r for r in plain if r["source"]["sha256"] == unique.sha) == unique.record().to_dict()
    assert [r["source"]["sha256"] for r in plain] == [specs[2].sha, unique.sha, specs[3].sha]
    assert [(r["source"]["sha256"], r["version"]) for r in every] == [
        (specs[1].sha, {"current": False, "superseded_by": specs[2].sha}),
        (specs[2].sha, {"current": True, "superseded_by": None}),
        (unique.sha, {"current": True, "superseded_by": None}),
        (specs[3].sha, {"current": True, "superseded_by": None}),
    ]


def _load_at_once(engine: Engine, chunk: list[Any], barrier: threading.Barrier, out: list[w.ChunkLoad]) -> None:
    barrier.wait()
    out.extend(w.load_letters(engine, chunk))


def test_concurrent_chunks_of_one_case_decide_from_each_others_letters(engine: Engine) -> None:
    """Two chunks loading letters of the same cases at the same moment (PostgreSQL: two
    transactions, each locking its cases before it reads): one answer, nothing set aside for a
    constraint. One chunk alone would find its case in review (two letters of one date that
    differ) or its letter alone; the other chunk's later letter supersedes them."""
    x, y = "CM13-0000001", "CM13-0000002"
    a = [Spec(0, x, 3, 0), Spec(1, x, 3, 1), Spec(2, y, 9, 0)]
    b = [Spec(3, x, 7, 0), Spec(4, y, 2, 0), Spec(5, y, 2, 1)]
    for round_ in range(6):
        wipe(engine)
        batch = w.start_batch(engine, "ingest", ["/in"])
        entries = []
        for chunk in (a, b) if round_ % 2 else (b, a):
            records = [sp.record() for sp in chunk]
            new = [w.NewFile("/in", r.source.path, r.source.sha256, 1, r.source.media_type) for r in records]
            entries.append(list(zip(w.register_files(engine, batch, new), records, [[]] * len(records), strict=True)))
        results: list[w.ChunkLoad] = []
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_load_at_once, args=(engine, c, barrier, results)) for c in entries]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 6 and all(isinstance(r, w.LoadResult) for r in results), results
        assert current_per_case(engine) == {x: 1, y: 1}
        assert exports(engine) == expected_exports([*a, *b])


def test_migration_0008_keeps_old_letters_current_and_downgrades_to_one_letter_per_case(engine: Engine) -> None:
    specs = [Spec(0, "CM13-0000001", 2, 0), Spec(1, "CM13-0000001", 5, 1), Spec(2, "CM13-0000002", 3, 0)]
    load_arrival(engine, [[specs[:1]], [specs[1:]]])
    w.downgrade(engine, "0007")
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT content_sha256 FROM letters ORDER BY content_sha256")).scalars().all()
        statuses = conn.execute(sa.text("SELECT status FROM source_files ORDER BY rel_path")).scalars().all()
    assert kept == [specs[1].sha, specs[2].sha]  # the current letter of each case
    assert statuses == ["linked", "loaded", "loaded"]
    w.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT version_status FROM letters")).scalars().all()
    assert rows == ["current", "current"]
    assert [r.source.sha256 for r in w.export_records(engine)] == [specs[1].sha, specs[2].sha]


# --------------------------------------------------------------------------- the synthetic generator


def test_synth_never_repeats_a_case_number_by_accident(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator draws case numbers at random (about 42 repeats in 12,000 letters): a letter
    drawing one the corpus holds is drawn again."""
    import imr.synth.corpus as corpus

    calls: list[int] = []
    clashed: list[int] = []
    real = corpus.generate_letter

    def clashing(seed: int, **kw: Any) -> Any:
        letter = real(seed, **kw)
        calls.append(seed)
        if letter.letter.case_number is not None and len(clashed) < 3:  # the first three draw one number
            clashed.append(seed)
            letter.letter.case_number = "CM15-0000001"
        return letter

    monkeypatch.setattr(corpus, "generate_letter", clashing)
    corpus.write_corpus(tmp_path, 6, seed=4, formats=("txt",), bad=False)
    gold = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text().splitlines()]
    cases = [g["letter"]["case_number"] for g in gold if g["letter"]["case_number"]]
    assert len(cases) == len(set(cases)) and len(calls) > 6


def test_synth_amended_letters_are_later_letters_of_existing_cases(tmp_path: Path) -> None:
    from imr.cli import main

    assert (
        main(["synth", str(tmp_path / "out"), "--count", "12", "--seed", "3", "--formats", "txt", "--amended", "3"])
        == 0
    )
    gold = {
        (g := json.loads(line))["source"]["path"]: g
        for line in (tmp_path / "out" / "gold.jsonl").read_text().splitlines()
    }
    amended = sorted(p for p in gold if p.endswith(tuple(f"_amended.{f}" for f in ("txt", "pdf"))))
    assert len(amended) == 3
    for name in amended:
        original = gold[re.sub(r"_amended(\.\w+)$", r"\1", name)]["letter"]
        later = gold[name]["letter"]
        assert later["case_number"] == original["case_number"] is not None
        assert dt.date.fromisoformat(later["decision_date"]) > dt.date.fromisoformat(original["decision_date"])
        assert later["items"] == original["items"] or later["decision_date"][:4] != original["decision_date"][:4]
    cases = [g["letter"]["case_number"] for g in gold.values() if g["letter"] and g["letter"]["case_number"]]
    assert len(cases) - len(set(cases)) == 3
    assert main(["synth", str(tmp_path / "bad"), "--count", "2", "--amended", "3"]) == 2


# --------------------------------------------------------------------------- a real batch, 1 or 2 workers


def _ingest(inbox: Path, data: Path, db: str, workers: int) -> None:
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "IMR_DATA_DIR": str(data),
        "IMR_STABLE_SECONDS": "0",
        "IMR_CHUNK_SIZE": "3",
        "IMR_QUARANTINE_THRESHOLD": "0.5",
        "IMR_PARALLEL_MIN_FILES": "0",
    }
    argv = [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(inbox), "--db", db, "--retries", "0"]
    done = subprocess.run(
        [*argv, "--workers", str(workers)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def amended_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic text letters, later letters of some of their cases (``imr synth --amended``), and
    a letter that differs from another of its case on the same decision date (its date of injury a
    year earlier)."""
    from imr.synth.corpus import write_corpus

    folder = tmp_path_factory.mktemp("versions") / "letters"
    paths = write_corpus(folder, 9, seed=18, formats=("txt",), bad=False, amended=4)
    (folder / "gold.jsonl").unlink()
    amended = {p.name.replace("_amended", "") for p in paths if "_amended" in p.name}
    for p in paths:
        text = p.read_text(encoding="utf-8")
        clash = re.sub(r"(Date of Injury:\s*\d\d/\d\d/)(\d{4})", lambda m: m.group(1) + str(int(m.group(2)) - 1), text)
        if "_amended" not in p.name and p.name not in amended and clash != text and not (folder / "clash.txt").exists():
            (folder / "clash.txt").write_text(clash, encoding="utf-8")
            paths.append(folder / "clash.txt")
    for p in paths:
        os.utime(p, (OLD, OLD))
    return folder


@pytest.mark.slow
@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_workers_1_and_2_export_the_same_versions(amended_corpus: Path, tmp_path: Path) -> None:
    """`imr ingest --workers 2` (chunks racing on a process pool) against the same batch in the
    flow's own process (one chunk after another: what `--workers 1` runs)."""
    from tests.pipeline_helpers import run_batch, settings_for

    got: list[tuple[str, str]] = []
    for workers in (1, 2):
        root = tmp_path / f"w{workers}"
        shutil.copytree(amended_corpus, root / "inbox")
        db = f"sqlite:///{root / 'warehouse.db'}"
        engine = w.make_engine(db)
        if workers == 1:
            w.upgrade(engine)
            summary = run_batch(engine, root / "inbox", settings_for(root, chunk_size=3, quarantine_threshold=0.5))
            assert summary.verdict.status == "completed_with_quarantine"
        else:
            _ingest(root / "inbox", root / "data", db, workers)
        got.append(exports(engine))
        every = run_export(engine, "--all-versions")
        engine.dispose()
    assert got[0] == got[1]
    by_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in every:
        if r["letter"]["case_number"] is not None:
            by_case[r["letter"]["case_number"]].append(r)
    amended = [rs for rs in by_case.values() if len(rs) == 2 and any(r["version"]["current"] for r in rs)]
    (in_review,) = [rs for rs in by_case.values() if not any(r["version"]["current"] for r in rs)]
    assert len(amended) == 4
    assert sorted(r["version"]["superseded_by"] is None for r in in_review) == [True, True]
    for rs in amended:
        old, new = sorted(rs, key=lambda r: r["letter"]["decision_date"])
        assert (old["version"], new["version"]) == (
            {"current": False, "superseded_by": new["source"]["sha256"]},
            {"current": True, "superseded_by": None},
        )


def test_source_is_kept_for_the_linked_copy(engine: Engine) -> None:
    """A copy (same determination, other bytes) is a letter of its own: its file's source and
    record come back with --all-versions."""
    original, copy = Spec(1, "CM13-0000001", 2, 0), Spec(0, "CM13-0000001", 2, 0)
    load_arrival(engine, [[[original]], [[copy]]])
    every = {r.source.sha256: (r, ver) for r, ver in w.export_versions(engine)}
    assert every[copy.sha][1].to_dict() == {"current": True, "superseded_by": None}  # the smaller sha256
    assert every[original.sha][1].to_dict() == {"current": False, "superseded_by": copy.sha}
    assert every[original.sha][0].source == Source(f"{original.n:02d}.txt", original.sha, "text/plain", 3)
