"""Serving behaviour: static batch, offline maximum throughput, and a request rate with queues.

* `closed_loop` (mode `batch`, load = concurrent requests): a serving benchmark at a
  concurrency; every finished request is replaced at once, so the running requests' decode
  steps carry the new prompts (chunked prefill) and requests beyond the engine's slots queue
  (see `closed_loop`). Batch 1 is llama-bench's single stream.
* `static_batch` (load = sequences; used by the sweep): all sequences start together; the
  batch is prefilled (in chunks), then decodes `output - 1` steps at mean context
  `input + output / 2`. A batch larger than the KV budget or the engine's max batch runs in
  waves.
* `offline` (mode `offline`): continuous (in-flight) batching with every request queued (TTFT
  includes the wait for a batch slot in a finite run of `benchmark_requests`). The
  running batch is the largest the KV budget (input + reserved share of the output per
  sequence), the engine's max batch and its token budget per step allow; each step decodes one
  token per sequence and carries `B x input / output` prompt tokens (steady state).
* `at_rate` (mode `rate`, load = requests/s, Poisson arrivals): running sequences from Little's
  law `N = rate x E2E(N)` (fixed point); TTFT = the engine's frontend latency + prefill (sharing steps with the running decodes)
  + mean residual step + M/D/1 wait for the prefill path + M/G/c (Sakasegawa) wait for a
  batch slot; p95/p99 from an exponential tail of the wait. TPOT p99 is per request (its mean
  over its decode, as serving benchmarks report it): a Poisson number of other prompts' chunks
  lands in its steps. Above capacity the throughput
  saturates and TTFT grows with the backlog of a finite benchmark run (`benchmark_requests`).

Loads are for the whole deployment and are shared evenly by its replicas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.configs import GIB, Array, BoolArray, ConfigArrays, IntArray
from app.engine.memory import (
    kv_budget_bytes,
    kv_bytes_per_sequence_per_gpu,
    max_concurrency,
    max_sequences,
    weights_bytes_per_gpu,
)
from app.engine.performance import (
    KV_CAPACITY,
    NO_FIT,
    QUEUEING,
    PrefillTime,
    StepTime,
    causal_pairs,
    forward_step,
    prefill,
)

BATCH, OFFLINE, RATE = 0, 1, 2
MODE_NAMES = ("batch", "offline", "rate")
BENCHMARK_REQUESTS = 1000.0  # requests in a finite benchmark run (vLLM benchmark_serving default)
MAX_FIXED_POINT_ITERATIONS = 40
CAPACITY_MARGIN = 0.3  # relative uncertainty of a predicted capacity (P10-P90 of held-out capacity ratios: about 0.78-1.15)
SOFTNESS = 8.0  # sharpness of `soft_utilisation`: 0.92 at rho 1, 0.98 x rho at rho 0.7
# served prompts vary in length (ShareGPT, uniform random lengths, real traffic); only the mean
# is given, so the TTFT tails assume the p95 / p99 request brings a prompt of 1.6 / 2 times it
# (uniform lengths up to twice the mean; conversation sets spread further, fixed sets less)
P95_PROMPT_FACTOR = 1.6
P99_PROMPT_FACTOR = 2.0


@dataclass(frozen=True)
class Workload:
    """Per-configuration workload: mode code (BATCH/OFFLINE/RATE), load, tokens per request."""

    mode: IntArray
    load: Array
    input_tokens: Array
    output_tokens: Array


@dataclass(frozen=True)
class ServingResult:
    """Predicted serving figures (whole deployment unless marked per GPU)."""

    output_tokens_per_s: Array
    ttft_ms: Array
    ttft_p95_ms: Array
    ttft_p99_ms: Array
    tpot_ms: Array
    tpot_p99_ms: Array
    e2e_latency_s: Array
    concurrency: Array
    max_concurrency: Array
    kv_capacity_tokens: Array
    weights_gib: Array
    kv_cache_gib: Array
    fits: BoolArray
    bound: IntArray


def _steps_after_first(input_tokens: Array, output_tokens: Array) -> Array:
    """Decode steps after the prefill: output - 1, or output when there is no prompt."""
    return np.where(input_tokens > 0, np.maximum(output_tokens - 1.0, 0.0), output_tokens)


def _finish(
    c: ConfigArrays,
    isl: Array,
    osl: Array,
    running: Array,
    tokens_per_s: Array,
    ttft_s: Array,
    ttft_p95_s: Array,
    ttft_p99_s: Array,
    tpot_s: Array,
    tpot_p99_s: Array,
    e2e_s: Array,
    bound: IntArray,
) -> ServingResult:
    context = np.maximum(isl + osl, 1.0)
    budget, _, _, _ = kv_budget_bytes(c, context)
    kv_pool = np.where(
        c.memory_fraction >= 1.0, running * kv_bytes_per_sequence_per_gpu(c, context), budget
    )
    fits = (budget > 0.0) & (max_sequences(c, context) >= 1.0)
    bound = np.where(fits, bound, NO_FIT).astype(np.intp)
    nan = np.nan

    def ok(a: Array) -> Array:
        return a  # figures stay defined when it does not fit; `fits` and `bound` say so

    return ServingResult(
        output_tokens_per_s=ok(np.where(osl > 0, tokens_per_s, nan)),
        ttft_ms=ok(np.where(isl > 0, ttft_s * 1e3, nan)),
        ttft_p95_ms=ok(np.where(isl > 0, ttft_p95_s * 1e3, nan)),
        ttft_p99_ms=ok(np.where(isl > 0, ttft_p99_s * 1e3, nan)),
        tpot_ms=ok(np.where(osl > 0, tpot_s * 1e3, nan)),
        tpot_p99_ms=ok(np.where(osl > 0, tpot_p99_s * 1e3, nan)),
        e2e_latency_s=ok(e2e_s),
        concurrency=running * c.replicas,
        max_concurrency=max_concurrency(c, context),
        kv_capacity_tokens=np.maximum(budget, 0.0)
        / np.maximum(kv_bytes_per_sequence_per_gpu(c, 1.0), 1e-30),
        weights_gib=weights_bytes_per_gpu(c) / GIB,
        kv_cache_gib=np.maximum(kv_pool, 0.0) / GIB,
        fits=fits,
        bound=bound,
    )


def _dominant(
    prefill_s: Array, prefill_step: StepTime, decode_s: Array, decode_step: StepTime
) -> IntArray:
    return np.where(prefill_s > decode_s, prefill_step.bound, decode_step.bound).astype(np.intp)


def static_batch(c: ConfigArrays, batch: Array, isl: Array, osl: Array) -> ServingResult:
    """A static batch of `batch` sequences (see module docstring)."""
    per_replica = np.maximum(np.asarray(batch, dtype=np.float64) / c.replicas, 1.0)
    context = np.maximum(isl + osl, 1.0)
    limit = np.maximum(np.minimum(np.floor(max_sequences(c, context)), c.max_batch), 1.0)
    waves = np.ceil(per_replica / limit)
    running = per_replica / waves
    pre = prefill(c, running, isl)
    steps = _steps_after_first(isl, osl)
    step = forward_step(c, running, isl + osl / 2.0)
    decode_s = steps * step.time_s
    wave_s = pre.time_s + decode_s
    total_s = waves * wave_s
    tokens_per_s = c.replicas * per_replica * osl / np.maximum(total_s, 1e-12)
    chunks = np.maximum(pre.chunks, 1.0)
    # sequence i of S gets its first token when the chunk holding its last prompt token ends
    share = np.maximum((running + 1.0) / (2.0 * running), (chunks + 1.0) / (2.0 * chunks))
    ttft_mean = pre.time_s * share
    bound = np.where(waves > 1, KV_CAPACITY, _dominant(pre.time_s, pre.chunk, decode_s, step))
    return _finish(
        c,
        isl,
        osl,
        running,
        tokens_per_s,
        ttft_mean,
        pre.time_s,
        pre.time_s,
        step.time_s,
        step.time_s,
        total_s,
        bound.astype(np.intp),
    )


def _interference_step(c: ConfigArrays, running: Array, isl: Array, osl: Array) -> StepTime:
    """A decode step of `running` sequences carrying the other sequences' prompt tokens.

    In steady continuous batching each running sequence is replaced on finishing, so
    `(running - 1) / osl` new prompts start per step and their `isl` tokens ride in the decode
    steps (chunked prefill): that work is what raises a request's TPOT with load; the steps
    that carry a prompt run as prompt steps (no whole-step graph). A lone sequence
    (running = 1) decodes undisturbed.
    """
    others = np.maximum(running - 1.0, 0.0) / np.maximum(osl, 1.0)
    return _step_with_prompts(c, running, others, isl, osl)


def _step_with_prompts(c: ConfigArrays, running: Array, starts: Array, isl: Array,
                       osl: Array) -> StepTime:
    """A step of `running` decodes at mid-generation context that carries `starts` prompts'
    worth of `isl`-token chunks (the steps that carry one run as prompt steps)."""
    return forward_step(
        c,
        running,
        isl + osl / 2.0,
        prefill_tokens=starts * isl,
        prefill_pairs=starts
        * causal_pairs(isl, np.minimum(c.prefill_chunk_tokens, isl), c.flash_attention),
        prefill_sequences=starts,
        prompt_step=_prompt_share(c, starts, isl),
    )


def _prompt_share(c: ConfigArrays, starts: Array, isl: Array) -> Array:
    """Share of steady steps that carry prompt tokens (and run as prompt steps): `starts`
    prompts begin per step, each spread over ceil(isl / token budget) chunks."""
    budget = np.maximum(np.minimum(c.prefill_chunk_tokens, c.max_batched_tokens), 1.0)
    return np.clip(starts * np.maximum(np.ceil(isl / budget), 1.0), 0.0, 1.0)


def closed_loop(c: ConfigArrays, clients: Array, isl: Array, osl: Array) -> ServingResult:
    """`clients` concurrent requests, each replaced by a new one when it finishes (mode `batch`).

    This is how serving benchmarks run "at a concurrency" (vLLM/SGLang `--max-concurrency`,
    AIPerf/genai-perf `--concurrency`) and, with batch 1, llama-bench. Per replica, with
    N = clients / replicas and the engine's slot limit S (KV budget and max batch, as offline):

    * running R = min(N, S); each step decodes R tokens and carries (R - 1) / osl other
      prompts' tokens (`_interference_step`): TPOT = that step time;
    * a request's service time = its prefill (chunked, beside R decodes) + (osl - 1) TPOT;
      steady throughput X = R / service (requests/s); the run starts as a static wave, so the
      output tokens/s is the geometric mean of X x osl x replicas and `static_batch`'s;
    * requests beyond the slots wait for one: by Little's law on the closed loop,
      wait = (N - R) / X; prompts also queue for the prefill path, M/D/1 at load X x prefill;
    * TTFT = slot wait + prefill wait + prefill; p99 from the exponential tail of the waits;
    * each request also pays the engine's frontend latency (`request_latency_s`) before its
      first token; a client waiting on it holds no batch slot.
    """
    per_replica = np.maximum(np.asarray(clients, dtype=np.float64) / c.replicas, 1.0)
    slots = np.maximum(_offline_steady(c, isl, osl).running, 1.0)
    running = np.minimum(per_replica, slots)
    steps = _steps_after_first(isl, osl)
    step = _interference_step(c, running, isl, osl)
    first = prefill(
        c, 1.0, isl, decode_tokens=running - 1.0, decode_context=isl + osl / 2.0
    )
    service = first.time_s + steps * step.time_s
    latency = np.where(isl > 0, c.request_latency_s, 0.0)
    # a client in its frontend latency holds no slot: with N <= S the cycle is latency +
    # service; with more clients than slots the slots stay busy
    x = running / np.maximum(service + latency * running / per_replica, 1e-12)  # req/s/replica
    wait_slot = np.maximum(per_replica - running, 0.0) / np.maximum(x, 1e-12)
    marginal = _prompt_time(c, first, running - 1.0, isl, osl)
    prefill_rho = np.minimum(x * marginal * np.maximum(running - 1.0, 0.0) / running, 0.95)
    wait_prefill = prefill_rho / (2.0 * (1.0 - prefill_rho)) * marginal
    queue_tail_95 = np.maximum(_tail(wait_prefill, prefill_rho, 0.95), wait_prefill)
    queue_tail_99 = np.maximum(_tail(wait_prefill, prefill_rho, 0.99), queue_tail_95)
    # a benchmark at a concurrency starts with every client's request at once (a static
    # wave) and desynchronises from there; without the run's length both limits are as
    # likely, so the throughput and the prompt part of the TTFT are geometric means
    wave = static_batch(c, per_replica * c.replicas, isl, osl)
    # a client resubmits when its last token streams out, after the engine has begun its next
    # step: the new prompt waits about one step of the others (none with a single client);
    # the tail request waits for a step that carries another prompt's chunk
    others = np.maximum(running - 1.0, 0.0) / running
    busy = _busy_step(c, running, isl, osl)
    ttft = latency + first.time_s + wait_prefill + wait_slot + others * step.time_s
    long95, long99 = _long_prompts(c, isl, running - 1.0, isl + osl / 2.0)
    ttft_p95 = latency + long95 + wait_slot * 1.05 + queue_tail_95 + others * busy.time_s
    ttft_p99 = latency + long99 + wait_slot * 1.1 + queue_tail_99 + others * busy.time_s
    # the tails are right tails of a right-skewed wait: never below the mean nor each other
    ttft_p95 = np.maximum(ttft_p95, ttft)
    ttft_p99 = np.maximum(ttft_p99, ttft_p95)
    tpot_p99 = step.time_s + _chunk_tail(c, running, x, isl, osl, step)
    static = wave.output_tokens_per_s
    steady = c.replicas * x * osl
    tokens_per_s = np.sqrt(steady * np.where(np.isfinite(static) & (static > 0), static, steady))
    e2e = ttft + steps * step.time_s
    bound = np.where(
        per_replica > slots,
        KV_CAPACITY,
        _dominant(first.time_s, first.chunk, steps * step.time_s, step),
    )
    return _finish(
        c,
        isl,
        osl,
        running,
        tokens_per_s,
        ttft,
        ttft_p95,
        ttft_p99,
        step.time_s,
        tpot_p99,
        e2e,
        bound.astype(np.intp),
    )


def _prompt_time(
    c: ConfigArrays, first: PrefillTime, decodes: Array, isl: Array, osl: Array
) -> Array:
    """Time a prompt adds to the steps it rides in: its prefill beside `decodes` running
    sequences minus the decode steps those would run anyway (one per chunk)."""
    plain = forward_step(c, np.maximum(decodes, 0.0), isl + osl / 2.0)
    return np.maximum(first.time_s - first.chunks * plain.time_s, 0.1 * first.time_s)


def _long_prompts(
    c: ConfigArrays, isl: Array, decodes: Array, context: Array
) -> tuple[Array, Array]:
    """Prefill times (s) of the p95 and p99 requests' prompts (`P95_PROMPT_FACTOR`,
    `P99_PROMPT_FACTOR` times the mean length), beside `decodes` running sequences."""
    p95 = prefill(c, 1.0, isl * P95_PROMPT_FACTOR, decode_tokens=decodes, decode_context=context)
    p99 = prefill(c, 1.0, isl * P99_PROMPT_FACTOR, decode_tokens=decodes, decode_context=context)
    return p95.time_s, p99.time_s


def _busy_step(c: ConfigArrays, running: Array, isl: Array, osl: Array) -> StepTime:
    """A decode step of `running` sequences that also carries one prompt chunk."""
    chunk = np.minimum(np.minimum(c.prefill_chunk_tokens, c.max_batched_tokens), isl)
    return forward_step(
        c,
        running,
        isl + osl / 2.0,
        prefill_tokens=chunk,
        prefill_pairs=causal_pairs(chunk, chunk, c.flash_attention),
        prefill_sequences=1.0,
        prompt_step=1.0,
    )


def _chunk_tail(
    c: ConfigArrays, running: Array, arrivals: Array, isl: Array, osl: Array, step: StepTime
) -> Array:
    """Extra per-token time of the p99 request: a Poisson number of prompt chunks (mean m over
    its decode) land in its steps; the p99 request sees m + 2.33 sqrt(m) of them instead of m."""
    steps = _steps_after_first(isl, osl)
    chunk = np.minimum(np.minimum(c.prefill_chunk_tokens, c.max_batched_tokens), isl)
    busy = _busy_step(c, running, isl, osl)
    decode_s = np.maximum(steps, 1.0) * step.time_s
    m = arrivals * decode_s * np.ceil(isl / np.maximum(chunk, 1.0))
    extra = np.maximum(busy.time_s - step.time_s, 0.0) * 2.33 * np.sqrt(m) / np.maximum(steps, 1.0)
    return np.where(arrivals * isl > 0, extra, 0.0)


@dataclass(frozen=True)
class _Steady:
    running: Array
    kv_limited: BoolArray
    step: StepTime


def _steady_step(c: ConfigArrays, running: Array, isl: Array, osl: Array) -> StepTime:
    """A continuous-batching step: `running` decodes plus their share of prompt tokens (the
    share of steps that carry a prompt pays the prompt-step overhead)."""
    return _step_with_prompts(c, running, running / np.maximum(osl, 1.0), isl, osl)


def _offline_steady(c: ConfigArrays, isl: Array, osl: Array) -> _Steady:
    reserved = isl + c.kv_reserve_output_fraction * osl
    by_kv = max_sequences(c, np.maximum(reserved, 1.0))
    by_tokens = c.max_batched_tokens / (1.0 + isl / np.maximum(osl, 1.0))
    cap = np.minimum(c.max_batch, by_tokens)
    running = np.maximum(np.minimum(cap, by_kv), 1.0)
    return _Steady(running=running, kv_limited=by_kv < cap, step=_steady_step(c, running, isl, osl))


def offline(
    c: ConfigArrays, isl: Array, osl: Array, benchmark_requests: float = BENCHMARK_REQUESTS
) -> ServingResult:
    """Maximum throughput with every request queued (see module docstring).

    TTFT is the mean over a finite run of `benchmark_requests` requests that all arrive at once:
    the first batch is prefilled together, its chunks sharing steps with the decodes of the
    prompts already done (on average half the batch; each request waits half of that);
    request i after it is admitted when a slot frees, at (i - B + 1) / mu, and is then
    prefilled alongside the running decodes. Through a server (`request_latency_s` > 0) the
    frontend takes the burst one request at a time, so request i cannot start before
    i x request_latency_s: the TTFT is at least that admission delay. The p99 request's TPOT
    has a Poisson excess of prompt chunks in its steps (`_chunk_tail`).
    """
    s = _offline_steady(c, isl, osl)
    tokens_per_s = c.replicas * s.running / s.step.time_s
    steps = _steps_after_first(isl, osl)
    context = isl + osl / 2.0
    alone = prefill(c, 1.0, isl, decode_tokens=s.running, decode_context=context)
    together = prefill(c, s.running, isl, decode_tokens=s.running / 2.0, decode_context=context)
    n = np.maximum(benchmark_requests / c.replicas, 1.0)
    first = np.minimum(s.running, n)
    later = n - first
    mu = s.running / (alone.time_s + steps * s.step.time_s)  # requests/s per replica
    wait_later = (later + 1.0) / 2.0 / mu  # mean of (i - B + 1) / mu over the later requests
    ttft = (
        first * (together.time_s / 2.0 + s.step.time_s)
        + later * (wait_later + alone.time_s + s.step.time_s)
    ) / n
    ttft_p99 = (
        np.where(later > 0, 0.99 * later / mu + alone.time_s, together.time_s) + s.step.time_s
    )
    # a served burst enters one request at a time through the frontend
    admit = np.where(isl > 0, c.request_latency_s, 0.0)
    ttft = np.maximum(ttft, admit * (n + 1.0) / 2.0 + alone.time_s + s.step.time_s)
    ttft_p99 = np.maximum(ttft_p99, admit * 0.99 * n + alone.time_s + s.step.time_s)
    # a long first batch can put the mean above that tail estimate: a percentile is never
    # below the mean
    ttft_p99 = np.maximum(ttft_p99, ttft)
    tpot_p99 = s.step.time_s + _chunk_tail(c, s.running, mu, isl, osl, s.step)
    e2e = ttft + steps * s.step.time_s
    bound = np.where(s.kv_limited, KV_CAPACITY, s.step.bound).astype(np.intp)
    return _finish(
        c,
        isl,
        osl,
        s.running,
        tokens_per_s,
        ttft,
        np.minimum(ttft_p99, np.maximum(ttft, ttft_p99 * 0.95 / 0.99)),
        ttft_p99,
        s.step.time_s,
        tpot_p99,
        e2e,
        bound,
    )


def soft_utilisation(rho: Array) -> Array:
    """Utilisation with the capacity's uncertainty: rho / (1 + rho^k)^(1/k), k = SOFTNESS.

    Equal to rho well below capacity, below 1 at and beyond it, so queueing waits grow steeply
    but stay finite where the prediction cannot tell "just below" from "just above" capacity.
    """
    r = np.maximum(np.asarray(rho, dtype=np.float64), 0.0)
    return np.asarray(r / (1.0 + r**SOFTNESS) ** (1.0 / SOFTNESS))


def _tail(mean_wait: Array, utilisation: Array, quantile: float) -> Array:
    """Quantile of a wait with P(W > t) = p exp(-t p / E[W]) (exponential tail), where
    p = `utilisation` is the probability of waiting at all."""
    rho = np.clip(utilisation, 1e-9, 0.999)
    scale = mean_wait / rho
    return np.where(rho > 1.0 - quantile, scale * np.log(rho / (1.0 - quantile)), 0.0)


def at_rate(
    c: ConfigArrays,
    rate: Array,
    isl: Array,
    osl: Array,
    benchmark_requests: float = BENCHMARK_REQUESTS,
) -> ServingResult:
    """Poisson arrivals at `rate` requests/s for the deployment (see module docstring)."""
    lam = np.asarray(rate, dtype=np.float64) / c.replicas
    cap = _offline_steady(c, isl, osl)
    capacity_rps = cap.running / (cap.step.time_s * np.maximum(osl, 1.0))
    rho = lam / capacity_rps
    # the predicted capacity is uncertain by about CAPACITY_MARGIN: near it, waits follow a
    # soft utilisation that stays below 1, and a backlog builds only clearly beyond it
    rho_soft = soft_utilisation(rho)
    admitted = lam * rho_soft / np.maximum(rho, 1e-12)
    steps = _steps_after_first(isl, osl)
    running = np.minimum(np.maximum(lam * (steps + 1.0) * cap.step.time_s, 1.0), cap.running)
    for _ in range(MAX_FIXED_POINT_ITERATIONS):
        step = _steady_step(c, running, isl, osl)
        first = prefill(c, 1.0, isl, decode_tokens=running, decode_context=isl + osl / 2.0)
        e2e = first.time_s + steps * step.time_s
        target = np.clip(admitted * e2e, 1.0, cap.running)
        done = np.abs(target - running) <= 1e-3 * running
        running = 0.5 * (running + target)
        if bool(np.all(done)):
            break
    step = _steady_step(c, running, isl, osl)
    first = prefill(c, 1.0, isl, decode_tokens=running, decode_context=isl + osl / 2.0)
    service = first.time_s
    e2e_service = service + steps * step.time_s

    rho_c = np.minimum(rho_soft, 0.98)
    # prompts that arrive during a step join the next one together: the prompt path is busy
    # only for the time prompts add to the steps (beyond the decode work they ride with)
    marginal = _prompt_time(c, first, running, isl, osl)
    prefill_rho = np.minimum(soft_utilisation(admitted * marginal), 0.98)
    wait_prefill = prefill_rho / (2.0 * (1.0 - prefill_rho)) * marginal
    slots = np.maximum(cap.running, 1.0)
    wait_slot = rho_c ** np.sqrt(2.0 * (slots + 1.0)) / (slots * (1.0 - rho_c)) * e2e_service * 0.5
    stretched = capacity_rps * (1.0 + CAPACITY_MARGIN)
    backlog = np.where(
        lam > stretched,
        benchmark_requests / c.replicas / 2.0 * (1.0 / stretched - 1.0 / np.maximum(lam, 1e-12)),
        0.0,
    )
    residual = step.time_s / 2.0
    queue = wait_prefill + wait_slot
    latency = np.where(isl > 0, c.request_latency_s, 0.0)  # frontend, per served request
    ttft = latency + service + residual + queue + backlog
    # tails per queue: the prefill path waits with probability rho (one server); a batch slot
    # with probability about rho^sqrt(2(c + 1)) (many servers, Sakasegawa), so a large batch
    # adds little to the p99 until it is nearly full
    slot_busy = rho_c ** np.sqrt(2.0 * (slots + 1.0))
    tail_95 = np.maximum(
        _tail(wait_prefill, prefill_rho, 0.95) + _tail(wait_slot, slot_busy, 0.95), queue
    )
    tail_99 = np.maximum(
        _tail(wait_prefill, prefill_rho, 0.99) + _tail(wait_slot, slot_busy, 0.99), tail_95
    )
    long95, long99 = _long_prompts(c, isl, running, isl + osl / 2.0)
    ttft_p95 = latency + long95 + 0.95 * step.time_s + tail_95 + backlog
    ttft_p99 = latency + long99 + 0.99 * step.time_s + tail_99 + backlog
    chunk = np.minimum(np.minimum(c.prefill_chunk_tokens, c.max_batched_tokens), isl)
    busy = _busy_step(c, running, isl, osl)
    # a request's TPOT is its mean over its decode; other prompts' chunks land in it as a
    # Poisson count (mean m): the p99 request sees m + 2.33 sqrt(m) of them
    decode_s = np.maximum(steps, 1.0) * step.time_s
    chunks_per_request = np.ceil(isl / np.maximum(chunk, 1.0))
    m = lam * decode_s * chunks_per_request
    extra = np.maximum(busy.time_s - step.time_s, 0.0) * 2.33 * np.sqrt(m) / np.maximum(steps, 1.0)
    tpot_p99 = step.time_s + np.where(lam * isl > 0, extra, 0.0)
    tokens_per_s = c.replicas * np.minimum(lam, capacity_rps) * osl
    e2e = ttft + steps * step.time_s
    bound = np.where(rho >= 0.9, QUEUEING, step.bound).astype(np.intp)
    return _finish(
        c,
        isl,
        osl,
        running,
        tokens_per_s,
        ttft,
        ttft_p95,
        ttft_p99,
        step.time_s,
        tpot_p99,
        e2e,
        bound,
    )


def serve(c: ConfigArrays, w: Workload) -> ServingResult:
    """Each flat configuration under its own workload mode (each mode computed on its rows)."""
    mode = np.clip(np.asarray(w.mode, dtype=np.intp), 0, 2)
    n = mode.shape[0]
    if n == 0:
        empty: dict[str, Any] = {name: np.zeros(0) for name in ServingResult.__dataclass_fields__}
        empty.update(fits=np.zeros(0, dtype=bool), bound=np.zeros(0, dtype=np.intp))
        return ServingResult(**empty)
    isl = np.broadcast_to(np.asarray(w.input_tokens, dtype=np.float64), (n,))
    osl = np.broadcast_to(np.asarray(w.output_tokens, dtype=np.float64), (n,))
    load = np.broadcast_to(np.nan_to_num(np.asarray(w.load, dtype=np.float64), nan=1.0), (n,))
    merged: dict[str, Any] = {}
    for code in range(3):
        rows = np.flatnonzero(mode == code)
        if rows.size == 0:
            continue
        sub = c.take(rows)
        if code == BATCH:
            part = closed_loop(sub, np.maximum(load[rows], 1.0), isl[rows], osl[rows])
        elif code == OFFLINE:
            part = offline(sub, isl[rows], osl[rows])
        else:
            part = at_rate(sub, np.maximum(load[rows], 1e-9), isl[rows], osl[rows])
        for name in ServingResult.__dataclass_fields__:
            value = np.broadcast_to(getattr(part, name), rows.shape)
            if name not in merged:
                merged[name] = np.zeros(n, dtype=value.dtype)
            merged[name][rows] = value
    return ServingResult(**merged)
