#!/usr/bin/env python3
"""Crash test: SIGKILL a process writing to a workspace at random moments, then check the file.

  python -m benchmarks.crash_test [--iterations 200] [--seed 1] [--dir DIR]

A child process opens a workspace through the real code (`open_workspace`, so creation, seeding
and routine backups are exercised too) and applies numbered changes through the real stores:
scenario inserts, edits and deletes, and catalog entry saves and deletes, each one store call
(one transaction with its audit row). After each commit it prints the change's number, flushed:
that is the acknowledgement. The parent kills it (SIGKILL) either at a random time after start
or a random fraction of a millisecond to a few milliseconds after a random number of
acknowledgements, so kills land during opening, seeding, backups, transactions, commits and
checkpoints. After each kill the parent reopens the file and checks:

- `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` finds nothing;
- every acknowledged change is present, and the file equals a model of the workload after
  N changes, where N is the acknowledged count or one more (a change can commit just before the
  kill, unacknowledged); nothing else is allowed, so a half-applied change fails the check;
- the audit log holds exactly one row per change, in order, and every scenario row has the audit
  row of its creation (no change without its audit row, and no audit row without its change);
- seeding is all-or-nothing, and every backup file passes a full integrity check.

The workload is a pure function of (seed, change number, current names), so the parent can
replay it. SIGKILL tests process crashes, not power loss: the operating system still flushes
what SQLite wrote. Power-loss safety rests on `synchronous=FULL` and fsync, which this cannot
prove. Prints the figures at the end; exit status 1 on any inconsistency.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_PREFIX = "crash "
GPU_PREFIX = "crash-gpu-"
GPU_SLOTS = 12
_LETTERS = "abcdefghijklmnopqrstuvwxyz      ,.0123456789"


# ---------------------------------------------------------------- the workload (shared) ---

@dataclass(frozen=True)
class Change:
    """One numbered change; `target` is a scenario name or a catalog id."""

    seq: int
    kind: str  # insert | update | delete | gpu-save | gpu-delete
    target: str
    data: dict[str, Any] | None = None


def _rng(seed: int, seq: int) -> random.Random:
    return random.Random(seed * 1_000_003 + seq)


def scenario_data(rng: random.Random, name: str, seq: int) -> dict[str, Any]:
    notes = "".join(rng.choices(_LETTERS, k=rng.randrange(100, 12_000)))
    return {
        "name": name, "schema_version": 1, "description": f"crash test change {seq}",
        "seq": seq, "workloads": [{"model": "llama-3.1-8b", "users": rng.randrange(1, 5000)}],
        "deployment": {"accelerator": "nvidia-h100-sxm-80gb"}, "notes": notes,
    }


def gpu_entry(template: dict[str, Any], gpu_id: str, seq: int) -> dict[str, Any]:
    entry = copy.deepcopy(template)
    entry["id"] = gpu_id
    entry["name"] = f"Crash test GPU {gpu_id[len(GPU_PREFIX):]}"
    entry["aliases"] = []
    entry["memory_gb"] = 1 + seq % 997
    return entry


def plan(seed: int, seq: int, names: list[str], gpus: list[str],
         template: dict[str, Any]) -> Change:
    """The change numbered `seq`, given the sorted crash-test scenario names and GPU ids."""
    rng = _rng(seed, seq)
    roll = rng.random()
    if roll < 0.40 or (roll < 0.75 and not names):
        name = f"{SCENARIO_PREFIX}{seq:07d}"
        return Change(seq, "insert", name, scenario_data(rng, name, seq))
    if roll < 0.62:
        name = names[rng.randrange(len(names))]
        return Change(seq, "update", name, scenario_data(rng, name, seq))
    if roll < 0.75:
        return Change(seq, "delete", names[rng.randrange(len(names))])
    if roll < 0.93 or not gpus:
        gpu_id = f"{GPU_PREFIX}{rng.randrange(GPU_SLOTS):02d}"
        return Change(seq, "gpu-save", gpu_id, gpu_entry(template, gpu_id, seq))
    return Change(seq, "gpu-delete", gpus[rng.randrange(len(gpus))])


@dataclass
class Model:
    """What the workspace must hold after the changes applied so far."""

    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    gpus: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: list[tuple[str, str]] = field(default_factory=list)  # (action, target)
    applied: int = 0

    def apply(self, change: Change) -> None:
        if change.kind == "insert":
            assert change.data is not None
            self.scenarios[change.target] = change.data
            self.actions.append(("scenario.created", change.target))
        elif change.kind == "update":
            assert change.data is not None
            self.scenarios[change.target] = change.data
            self.actions.append(("scenario.edited", change.target))
        elif change.kind == "delete":
            del self.scenarios[change.target]
            self.actions.append(("scenario.deleted", change.target))
        elif change.kind == "gpu-save":
            assert change.data is not None
            action = "catalog.edited" if change.target in self.gpus else "catalog.added"
            self.gpus[change.target] = change.data
            self.actions.append((action, change.target))
        else:
            del self.gpus[change.target]
            self.actions.append(("catalog.deleted", change.target))
        self.applied = change.seq

    def next_change(self, seed: int, template: dict[str, Any]) -> Change:
        return plan(seed, self.applied + 1, sorted(self.scenarios), sorted(self.gpus), template)


def gpu_template() -> dict[str, Any]:
    from app.catalog.loader import shipped_packs

    return dict(shipped_packs()["accelerators"].entries[0])


# ------------------------------------------------------------------------------ child ---

def run_child(workspace: Path, start: int, seed: int, backup_interval_s: float) -> int:
    from app.operations.workspace_ops import open_workspace
    from app.storage import catalog_store, scenario_store
    from app.storage.policy import StoragePolicy

    template = gpu_template()
    ws = open_workspace(workspace, policy=StoragePolicy(backup_interval_s=backup_interval_s))
    if ws.read_only:
        print(f"read-only: {ws.notice}", flush=True)
        return 3
    db = ws.db
    names = sorted(r.name for r in scenario_store.list_rows(db)
                   if r.name.startswith(SCENARIO_PREFIX))
    gpus = sorted(i for i in catalog_store.origins(db, "accelerators") if i.startswith(GPU_PREFIX))
    print("ready", flush=True)
    seq = start
    while True:
        change = plan(seed, seq, names, gpus, template)
        if change.kind == "insert":
            assert change.data is not None
            scenario_store.insert(db, change.data)
            names.append(change.target)
            names.sort()
        elif change.kind == "update":
            assert change.data is not None
            scenario_id = scenario_store.find(db, change.target)
            assert scenario_id is not None
            scenario_store.update(db, scenario_id, change.data)
        elif change.kind == "delete":
            scenario_id = scenario_store.find(db, change.target)
            assert scenario_id is not None
            scenario_store.delete(db, scenario_id)
            names.remove(change.target)
        elif change.kind == "gpu-save":
            assert change.data is not None
            catalog_store.save_entry(db, "accelerators", change.data)
            if change.target not in gpus:
                gpus.append(change.target)
                gpus.sort()
        else:
            catalog_store.delete_entry(db, "accelerators", change.target)
            gpus.remove(change.target)
        print(seq, flush=True)  # the acknowledgement: printed only after the commit returned
        seq += 1


# ----------------------------------------------------------------------------- parent ---

@dataclass
class Figures:
    iterations: int = 0
    kills_while_opening: int = 0
    kills_while_writing: int = 0
    acknowledged: int = 0
    committed_unacknowledged: int = 0
    losses: int = 0
    inconsistencies: list[str] = field(default_factory=list)
    backups_checked: int = 0
    elapsed_s: float = 0.0

    def report(self) -> str:
        return (f"iterations {self.iterations} (killed while opening {self.kills_while_opening}, "
                f"while writing {self.kills_while_writing}); changes acknowledged "
                f"{self.acknowledged}; committed but unacknowledged {self.committed_unacknowledged}; "
                f"losses {self.losses}; inconsistencies {len(self.inconsistencies)}; "
                f"backups verified {self.backups_checked}; time {self.elapsed_s:.1f} s")


def _crash_actions(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT action, entity, entity_id, detail FROM audit_log ORDER BY id").fetchall()
    found = []
    for action, entity, entity_id, detail in rows:
        if entity == "scenario":
            name = json.loads(detail).get("name") or ""
            if name.startswith(SCENARIO_PREFIX):
                found.append((action, name))
        elif entity == "accelerators" and entity_id.startswith(GPU_PREFIX):
            found.append((action, entity_id))
    return found


def verify(path: Path, model: Model, seed: int, acknowledged: int,
           template: dict[str, Any]) -> tuple[Model, list[str]]:
    """Check the file after a kill; advance `model` by the change that committed unacknowledged
    (if any). Returns the model and the problems found."""
    problems: list[str] = []
    conn = sqlite3.connect(path)
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            return model, [f"integrity_check: {check[:3]}"]
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check found rows")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "audit_log" not in tables:  # killed before the schema committed: must be empty
            if tables - {"_sqlite_migrations"}:
                problems.append(f"partial schema: {sorted(tables)}")
            return model, problems
        seeded = conn.execute("SELECT value FROM meta WHERE key='seeded_catalog_entries'"
                              ).fetchone()
        created_rows = conn.execute("SELECT count(*) FROM audit_log "
                                    "WHERE action='workspace.created'").fetchone()[0]
        catalog_rows = conn.execute("SELECT count(*) FROM catalog WHERE id NOT LIKE ?",
                                    [GPU_PREFIX + "%"]).fetchone()[0]
        if seeded is None:
            if created_rows or catalog_rows:
                problems.append("catalog rows or a creation audit row without the seed marker")
        elif created_rows != 1 or catalog_rows != int(seeded[0]):
            problems.append(f"seeding not all-or-nothing: marker {seeded[0]}, "
                            f"{catalog_rows} rows, {created_rows} creation rows")
        actions = _crash_actions(conn)
        if len(actions) < acknowledged:
            problems.append(f"LOST: {acknowledged - len(actions)} acknowledged changes missing")
        elif len(actions) > acknowledged + 1:
            problems.append(f"{len(actions)} changes stored, but only {acknowledged + 1} made")
        while model.applied < min(len(actions), acknowledged + 1):
            model.apply(model.next_change(seed, template))
        if actions != model.actions:
            problems.append(f"audit log differs from the model ({len(actions)} rows vs "
                            f"{len(model.actions)})")
        rows = conn.execute("SELECT id, name, data FROM scenarios WHERE name LIKE ?",
                            [SCENARIO_PREFIX + "%"]).fetchall()
        stored = {name: json.loads(data) for _, name, data in rows}
        if stored != model.scenarios:
            problems.append(f"scenarios differ from the model ({len(stored)} vs "
                            f"{len(model.scenarios)})")
        created = {r[0] for r in conn.execute("SELECT entity_id FROM audit_log "
                                              "WHERE action='scenario.created'")}
        orphans = [name for sid, name, _ in rows if str(sid) not in created]
        if orphans:
            problems.append(f"scenario rows without their audit row: {orphans[:3]}")
        gpu_rows = conn.execute("SELECT id, data FROM catalog WHERE kind='accelerators' "
                                "AND id LIKE ?", [GPU_PREFIX + "%"]).fetchall()
        if {i: json.loads(d) for i, d in gpu_rows} != model.gpus:
            problems.append("catalog entries differ from the model")
    finally:
        conn.close()
    return model, problems


def _check_backups(path: Path) -> tuple[int, list[str]]:
    from app.storage import backups
    from app.storage.migrations import SCHEMA_VERSION

    problems = []
    found = backups.list_backups(path)
    for info in found:
        try:
            backups.check_backup(info.path, SCHEMA_VERSION)
        except Exception as exc:  # noqa: BLE001 - report every kind of failure
            problems.append(f"backup {info.path.name}: {exc}")
    return len(found), problems


def _child_command(path: Path, start: int, seed: int, interval_s: float) -> list[str]:
    return [sys.executable, "-m", "benchmarks.crash_test", "child", str(path), str(start),
            str(seed), repr(interval_s)]


def run_crash_test(iterations: int, seed: int, folder: Path,
                   log: Any = None) -> Figures:
    """Kill a writing child `iterations` times and verify the workspace after each kill."""
    sys.path.insert(0, str(ROOT))
    template = gpu_template()
    rng = random.Random(seed)
    path = folder / "crash.enclave.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    figures = Figures()
    model = Model()
    started = time.perf_counter()
    ready_after_s = 0.3  # how long a child takes to open the workspace; updated as measured
    for iteration in range(iterations):
        interval = 0.0 if iteration % 3 == 0 else float("inf")  # a backup on every third open
        spawned = time.perf_counter()
        errors = (folder / "child-stderr.txt").open("w")
        child = subprocess.Popen(_child_command(path, model.applied + 1, seed, interval),
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors,
                                 text=True, bufsize=1)
        assert child.stdout is not None
        acknowledged = model.applied
        ready = False
        if rng.random() < 0.3:  # while it opens: creation, seeding, checks, backups
            time.sleep(rng.uniform(0.0, 1.2 * ready_after_s))
            child.send_signal(signal.SIGKILL)
        else:  # after some acknowledged changes, a moment into the next one
            wanted = rng.randrange(0, 60)
            got = 0
            for line in child.stdout:
                if line.strip() == "ready":
                    ready = True
                    ready_after_s = time.perf_counter() - spawned
                elif line.strip().isdigit():
                    acknowledged = int(line)
                    got += 1
                if ready and got >= wanted:
                    break
            time.sleep(rng.uniform(0.0, 0.004))
            child.send_signal(signal.SIGKILL)
        # Read the rest through the same buffered stream the loop above used: lines it had
        # already buffered would be lost to communicate(), which reads the raw pipe.
        rest = child.stdout.read()
        child.stdout.close()
        child.wait()
        errors.close()
        for line in rest.splitlines():
            if line.strip() == "ready":
                ready = True
            elif line.strip().isdigit():
                acknowledged = int(line)
        if child.returncode not in (-signal.SIGKILL, None):
            figures.inconsistencies.append(
                f"iteration {iteration}: child exited {child.returncode}: "
                f"{(folder / 'child-stderr.txt').read_text().strip()[-500:]}")
            break
        figures.iterations += 1
        if ready:
            figures.kills_while_writing += 1
        else:
            figures.kills_while_opening += 1
        before = model.applied
        model, problems = verify(path, model, seed, acknowledged, template)
        figures.acknowledged += acknowledged - before
        figures.committed_unacknowledged += max(0, model.applied - acknowledged)
        figures.losses += max(0, acknowledged - model.applied)
        if problems:
            figures.inconsistencies.extend(f"iteration {iteration}: {p}" for p in problems)
            break
        if log is not None and (iteration + 1) % 25 == 0:
            print(f"  {iteration + 1} kills, {model.applied} changes", file=log, flush=True)
    count, problems = _check_backups(path)
    figures.backups_checked = count
    figures.inconsistencies.extend(problems)
    figures.elapsed_s = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list and args_list[0] == "child":
        path, start, seed, interval = args_list[1:5]
        return run_child(Path(path), int(start), int(seed), float(interval))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="work folder (default: a new temporary one)")
    args = parser.parse_args(args_list)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="enclave-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"crash test in {folder}: {args.iterations} kills, seed {args.seed}", flush=True)
    figures = run_crash_test(args.iterations, args.seed, folder, log=sys.stdout)
    print(figures.report())
    for problem in figures.inconsistencies[:20]:
        print(f"  PROBLEM {problem}")
    return 1 if figures.inconsistencies or figures.losses else 0


if __name__ == "__main__":
    sys.exit(main())
