"""Site calibration end to end: a site whose H100 runs 30 % slower than the published figures.

    PYTHONPATH=. python benchmarks/site_calibration.py [--slowdown 1.3]

Writes a `vllm bench serve --append-result` log for Llama 3.1 8B BF16 on one H100 SXM (twelve
runs: three lengths x four concurrency caps) whose measurements are `slowdown` times slower than
the shipped factors predict (with +-4 % scatter), imports it with `enclave calibrate` into a new
workspace, and prints the command's before/after table. Then checks what the refit touched:
every (engine, hardware class) pair of the catalog is resolved before and after, and every pair
but vLLM on nvidia-hopper must resolve exactly as before.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.catalog.efficiency import load_efficiency  # noqa: E402
from app.cli import main as enclave  # noqa: E402
from app.operations.site_efficiency import workspace_efficiency  # noqa: E402
from app.operations.workspace_ops import open_workspace  # noqa: E402
from tests.operations.site_logs import slow_vllm_log  # noqa: E402


def run(slowdown: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log = slow_vllm_log(folder / "h100-site-bench.json", slowdown=slowdown)
        workspace = folder / "site.enclave.sqlite"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = enclave(["calibrate", str(log), "--model", "llama-3.1-8b", "--gpu",
                            "nvidia-h100-sxm-80gb", "--weights", "bf16", "--kv", "bf16",
                            "--workspace", str(workspace)])
        print(out.getvalue())
        if code:
            return code
        shipped, _ = load_efficiency()
        ws = open_workspace(workspace, read_only=True)
        try:
            table, _ = workspace_efficiency(ws.db)
            pairs = {(e, a.hardware_class, a.segment) for e in shipped.engines
                     for a in ws.catalog.accelerators.values()}
        finally:
            ws.close()
        changed = sorted({(e, c) for e, c, s in pairs
                          if table.resolve(e, c, s) != shipped.resolve(e, c, s)})
        print(f"(engine, hardware class, segment) pairs checked: {len(pairs)}; "
              f"resolving differently after the refit: {changed}")
        return 0 if changed == [("vllm", "nvidia-hopper")] else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slowdown", type=float, default=1.3)
    raise SystemExit(run(parser.parse_args().slowdown))
