"""Fine-tuning memory and time: published facts, hand-computed values, properties.

Hand computations use the catalog's Llama-3.1-8B (Ψ = 8.03e9; 32 layers, hidden 4096, 32 heads,
8 KV heads of 128, MLP 14336, vocabulary 128256, untied) and a synthetic LLaMA-65B (Touvron et al.
2023 Table 2: 80 layers, hidden 8192, 64 heads; MLP 22016 and vocabulary 32000 from its
config.json), the model QLoRA's paper fine-tunes on one 48 GB GPU.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.loader import Catalog
from app.engine.catalog_types import AcceleratorSpec, ModelSpec
from app.engine.finetune import (
    NF4_BITS,
    NF4_DOUBLE_QUANT_BITS,
    FinetuneSetup,
    finetune_memory,
    lora_adapter_params,
)
from app.engine.finetune_time import (
    QLORA_SPEED_FACTOR,
    default_training_efficiency,
    finetune_time,
    gpus_for_deadline,
    training_flops_per_token,
)
from app.engine.training_memory import activation_memory
from app.engine.transformer_dims import PlanningInputError

GB = 1e9


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.shipped()


@pytest.fixture(scope="module")
def llama8b(catalog: Catalog) -> ModelSpec:
    return catalog.model("llama-3.1-8b")


@pytest.fixture(scope="module")
def h100(catalog: Catalog) -> AcceleratorSpec:
    return catalog.accelerator("nvidia-h100-sxm-80gb")


def llama_65b() -> ModelSpec:
    h, layers, inter, vocab = 8192, 80, 22016, 32000
    params = layers * (4 * h * h + 3 * h * inter + 2 * h) + 2 * vocab * h + h
    return ModelSpec(
        id="llama-65b", name="LLaMA 65B (synthetic)", kind="llm", params_total=params,
        params_active=params, layers=layers, hidden_size=h, heads=64, kv_heads=64, head_dim=128,
        vocab_size=vocab, max_context_tokens=2048, tie_word_embeddings=False,
        source="Touvron et al. 2023, LLaMA, Table 2", as_of="2023-02", intermediate_size=inter)


def gpt_layer_model(h: int = 4096, heads: int = 32, layers: int = 4) -> ModelSpec:
    """A GPT-style model: MHA, 4h plain MLP (parameter total chosen so it reads as plain)."""
    params = layers * 12 * h * h + 50000 * h
    return ModelSpec(
        id="gpt", name="GPT-style", kind="llm", params_total=params, params_active=params,
        layers=layers, hidden_size=h, heads=heads, kv_heads=heads, head_dim=h // heads,
        vocab_size=50000, max_context_tokens=4096, tie_word_embeddings=True, source="test",
        as_of="2022", intermediate_size=4 * h)


# --- hand-computed memory per method ------------------------------------------------------

def test_full_finetuning_states_are_16_bytes_per_parameter(llama8b: ModelSpec,
                                                           h100: AcceleratorSpec) -> None:
    mem = finetune_memory(llama8b, FinetuneSetup(method="full"), h100)
    psi = 8.03e9
    assert float(mem.weights_bytes) == pytest.approx(2 * psi)
    assert float(mem.gradients_bytes) == pytest.approx(2 * psi)
    assert float(mem.optimizer_bytes) == pytest.approx(12 * psi)
    states = float(mem.weights_bytes + mem.gradients_bytes + mem.optimizer_bytes)
    assert states == pytest.approx(128.48 * GB)
    assert not bool(mem.fits)
    assert str(mem.largest) == "optimizer"


def test_full_finetuning_with_8bit_adam(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    mem = finetune_memory(llama8b, FinetuneSetup(method="full", optimizer="adamw_8bit"), h100)
    # fp32 master (4) + two 1-byte moments with one fp32 absmax per 2048 values
    assert float(mem.optimizer_bytes) == pytest.approx(8.03e9 * (4 + 2 * (1 + 4 / 2048)))


def test_lora_adapter_count_llama_3_1_8b_qkvo_rank_16(llama8b: ModelSpec) -> None:
    per_layer = 16 * ((4096 + 4096) + (4096 + 1024) + (4096 + 1024) + (4096 + 4096))
    assert per_layer * 32 == 13_631_488
    assert float(lora_adapter_params(llama8b, 16, ("q", "k", "v", "o"))) == 13_631_488
    assert float(lora_adapter_params(llama8b, 16, ("q_proj", "k_proj", "v_proj", "o_proj"))) \
        == 13_631_488


def test_lora_adapter_count_all_linear_layers() -> None:
    model = llama_65b()
    per_layer = 64 * (4 * (8192 + 8192) + 3 * (8192 + 22016))
    assert float(lora_adapter_params(model, 64, ("all",))) == per_layer * 80 == 799_539_200


def test_lora_memory_hand_computed(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    mem = finetune_memory(llama8b, FinetuneSetup(method="lora", lora_rank=16), h100)
    adapters = 13_631_488
    # frozen bf16 base + fp32 adapters (PEFT), fp32 gradients, two fp32 Adam moments
    assert float(mem.weights_bytes) == pytest.approx(2 * 8.03e9 + 4 * adapters)
    assert float(mem.gradients_bytes) == pytest.approx(4 * adapters)
    assert float(mem.optimizer_bytes) == pytest.approx(8 * adapters)
    assert float(mem.trainable_params) == adapters
    assert bool(mem.fits)


def test_qlora_memory_hand_computed(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    assert NF4_DOUBLE_QUANT_BITS == pytest.approx(4.127, abs=1e-3)
    assert NF4_BITS == 4.5
    mem = finetune_memory(llama8b, FinetuneSetup(method="qlora"), h100)
    table = 2 * 128256 * 4096
    adapters = 13_631_488
    base = (8.03e9 - table) * NF4_DOUBLE_QUANT_BITS / 8 + 2 * table
    assert float(mem.weights_bytes) == pytest.approx(base + 2 * adapters)  # bf16 adapters
    assert float(mem.gradients_bytes) == pytest.approx(2 * adapters)
    assert float(mem.optimizer_bytes) == pytest.approx(8 * adapters)  # paged AdamW 32-bit
    no_dq = finetune_memory(llama8b, FinetuneSetup(method="qlora", double_quant=False), h100)
    assert float(no_dq.weights_bytes - mem.weights_bytes) == pytest.approx(
        (8.03e9 - table) * (4.5 - NF4_DOUBLE_QUANT_BITS) / 8)


# --- published facts ----------------------------------------------------------------------

def test_qlora_fits_65b_on_one_48gb_gpu(catalog: Catalog) -> None:
    """QLoRA (Dettmers et al. 2023): "finetune a 65B parameter model on a single 48GB GPU"."""
    model = llama_65b()
    assert model.params_total == pytest.approx(65.2e9, rel=0.01)
    setup = FinetuneSetup(method="qlora", lora_rank=64, lora_targets=("all",),
                          seq_len_tokens=512, micro_batch=1, checkpointing="full")
    for gpu in ("nvidia-rtx-a6000-48gb", "nvidia-rtx-6000-ada-48gb", "nvidia-l40s-48gb"):
        mem = finetune_memory(model, setup, catalog.accelerator(gpu))
        assert bool(mem.fits), gpu
        assert float(mem.total_bytes) < 48 * GB
        assert int(mem.min_gpus_to_fit) == 1
    lora = finetune_memory(model, replace(setup, method="lora"),
                           catalog.accelerator("nvidia-rtx-a6000-48gb"))
    assert not bool(lora.fits)
    assert float(lora.weights_bytes) > 130 * GB


def test_paged_optimizer_is_what_lets_65b_fit(catalog: Catalog) -> None:
    model = llama_65b()
    setup = FinetuneSetup(method="qlora", lora_rank=64, lora_targets=("all",),
                          seq_len_tokens=512)
    gpu = catalog.accelerator("nvidia-rtx-a6000-48gb")
    paged = finetune_memory(model, setup, gpu)
    resident = finetune_memory(model, replace(setup, optimizer="adamw"), gpu)
    assert bool(paged.fits) and not bool(resident.fits)
    allocated = (paged.weights_bytes + paged.gradients_bytes
                 + np.maximum(paged.optimizer_bytes, paged.activations_bytes))
    assert float(paged.total_bytes) == pytest.approx(
        float(allocated * (1 + setup.fragmentation_fraction) + setup.cuda_context_bytes))


def test_full_finetuning_70b_does_not_fit_one_80gb_gpu(catalog: Catalog,
                                                       h100: AcceleratorSpec) -> None:
    model = catalog.model("llama-3.1-70b")
    mem = finetune_memory(model, FinetuneSetup(method="full", seq_len_tokens=2048), h100)
    states = float(mem.weights_bytes + mem.gradients_bytes + mem.optimizer_bytes)
    assert states == pytest.approx(16 * 70.55e9)
    assert states > 1.1e12 > 13 * h100.memory_bytes
    assert not bool(mem.fits)
    assert int(mem.min_gpus_to_fit) == 0  # plain data parallel never shards
    zero3 = finetune_memory(model, FinetuneSetup(method="full", zero_stage=3), h100)
    assert int(zero3.min_gpus_to_fit) >= 15


def test_min_gpus_to_fit_is_the_smallest(catalog: Catalog, h100: AcceleratorSpec) -> None:
    model = catalog.model("llama-3.1-70b")
    setup = FinetuneSetup(method="full", zero_stage=3, seq_len_tokens=4096)
    n = int(finetune_memory(model, setup, h100).min_gpus_to_fit)
    assert bool(finetune_memory(model, replace(setup, gpus=n), h100).fits)
    assert not bool(finetune_memory(model, replace(setup, gpus=n - 1), h100).fits)


@pytest.mark.parametrize("stage, sharded", [
    (1, ("optimizer",)), (2, ("optimizer", "gradients")),
    (3, ("optimizer", "gradients", "weights"))])
def test_zero_stages_divide_states_by_gpu_count(llama8b: ModelSpec, h100: AcceleratorSpec,
                                                stage: int, sharded: tuple[str, ...]) -> None:
    one = finetune_memory(llama8b, FinetuneSetup(method="full", zero_stage=stage), h100)
    eight = finetune_memory(llama8b, FinetuneSetup(method="full", zero_stage=stage, gpus=8), h100)
    for part in ("optimizer", "gradients", "weights"):
        ratio = float(getattr(one, f"{part}_bytes") / getattr(eight, f"{part}_bytes"))
        assert ratio == pytest.approx(8.0 if part in sharded else 1.0)
    assert float(eight.activations_bytes) == float(one.activations_bytes)


def test_zero3_shards_the_frozen_base_of_qlora(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    one = finetune_memory(llama8b, FinetuneSetup(method="qlora", zero_stage=3), h100)
    four = finetune_memory(llama8b, FinetuneSetup(method="qlora", zero_stage=3, gpus=4), h100)
    assert float(one.weights_bytes / four.weights_bytes) == pytest.approx(4.0)


# --- activations --------------------------------------------------------------------------

def test_activation_formula_reproduces_korthikanti() -> None:
    """GPT layer, 16-bit, dropout, scores materialised: s·b·h·(34 + 5·a·s/h) bytes."""
    model = gpt_layer_model()
    s, b, h, a = 2048, 4, 4096, 32
    none = activation_memory(model, s, b, checkpointing="none", attention="eager", dropout=True)
    assert float(none.per_layer_bytes) == pytest.approx(s * b * h * (34 + 5 * a * s / h))
    selective = activation_memory(model, s, b, checkpointing="selective", attention="eager",
                                  dropout=True)
    assert float(selective.stored_layers_bytes) == pytest.approx(4 * 34 * s * b * h)
    full = activation_memory(model, s, b, checkpointing="full", attention="eager", dropout=True)
    assert float(full.stored_layers_bytes) == pytest.approx(
        4 * 2 * s * b * h + s * b * h * (34 + 5 * a * s / h))
    # output layer: final norm and head inputs 4sbh, fp32 logits 4sbv, embedding mask sbh
    assert float(none.head_bytes) == pytest.approx(4 * s * b * h + 4 * s * b * 50000 + s * b * h)


def test_checkpointing_lowers_activations(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    totals = {
        mode: float(finetune_memory(llama8b, FinetuneSetup(
            method="lora", checkpointing=mode, attention="eager", seq_len_tokens=4096),
            h100).activations_bytes)
        for mode in ("none", "selective", "full")
    }
    assert totals["full"] < totals["selective"] < totals["none"]
    assert totals["full"] < totals["none"] / 5


def test_arrays_broadcast_like_scalars(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    seqs = np.array([512, 2048, 8192])
    batches = np.array([[1], [4]])
    mem = finetune_memory(llama8b, FinetuneSetup(method="qlora", seq_len_tokens=seqs,
                                                 micro_batch=batches), h100)
    assert mem.total_bytes.shape == (2, 3)
    for i, b in enumerate((1, 4)):
        for j, s in enumerate(seqs):
            one = finetune_memory(llama8b, FinetuneSetup(
                method="qlora", seq_len_tokens=int(s), micro_batch=b), h100)
            assert float(mem.total_bytes[i, j]) == pytest.approx(float(one.total_bytes))
            assert bool(mem.fits[i, j]) == bool(one.fits)


@pytest.mark.parametrize("setup, field", [
    (FinetuneSetup(method="dora"), "method"),
    (FinetuneSetup(zero_stage=4), "zero_stage"),
    (FinetuneSetup(seq_len_tokens=0), "seq_len_tokens"),
    (FinetuneSetup(lora_targets=("qkv",)), "lora_targets"),
    (FinetuneSetup(gpus=0), "gpus"),
    (FinetuneSetup(optimizer="lion"), "optimizer"),
    (FinetuneSetup(checkpointing="some"), "checkpointing"),
])
def test_bad_setup_names_the_field(llama8b: ModelSpec, h100: AcceleratorSpec,
                                   setup: FinetuneSetup, field: str) -> None:
    with pytest.raises(PlanningInputError, match=field):
        finetune_memory(llama8b, setup, h100)


# --- time ---------------------------------------------------------------------------------

def test_training_flops_per_token(llama8b: ModelSpec) -> None:
    s = 2048
    n = 8.03e9 - 128256 * 4096  # the input embedding is a lookup; the LM head is a product
    attn = 2 * 32 * s * 4096
    full = training_flops_per_token(llama8b, FinetuneSetup(method="full", seq_len_tokens=s,
                                                           checkpointing="none"))
    assert float(full.model_per_token) == pytest.approx(6 * n + 3 * attn)
    recompute = training_flops_per_token(llama8b, FinetuneSetup(method="full", seq_len_tokens=s))
    assert float(recompute.executed_per_token) == pytest.approx(8 * n + 4 * attn)
    lora = training_flops_per_token(llama8b, FinetuneSetup(method="lora", seq_len_tokens=s,
                                                           checkpointing="none"))
    assert float(lora.model_per_token) == pytest.approx(4 * n + 6 * 13_631_488 + 3 * attn)


def test_time_and_cost_hand_computed(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    setup = FinetuneSetup(method="full", gpus=8, zero_stage=3, seq_len_tokens=2048)
    t = finetune_time(llama8b, setup, 1e9, h100, usd_per_gpu_hour=3.0)
    per_token = float(training_flops_per_token(llama8b, setup).executed_per_token)
    seconds = 1e9 * per_token / (8 * 989.4e12 * 0.40)
    assert float(t.wall_time_s) == pytest.approx(seconds)
    assert float(t.gpu_hours) == pytest.approx(8 * seconds / 3600)
    assert float(t.cost_usd) == pytest.approx(3.0 * 8 * seconds / 3600)
    assert float(t.model_flops_utilisation) == pytest.approx(0.40 * 6 / 8, rel=0.02)
    assert any("Llama 3" in line for line in t.basis)


def test_more_gpus_shorten_the_run_at_equal_cost(llama8b: ModelSpec,
                                                 h100: AcceleratorSpec) -> None:
    setup = FinetuneSetup(method="lora", gpus=np.array([1, 2, 8]))
    t = finetune_time(llama8b, setup, 5e8, h100, usd_per_gpu_hour=2.0)
    assert float(t.wall_time_h[0] / t.wall_time_h[2]) == pytest.approx(8.0)
    assert np.allclose(t.cost_usd, t.cost_usd[0])
    assert np.isnan(float(finetune_time(llama8b, FinetuneSetup(), 1e6, h100).cost_usd))


def test_qlora_runs_slower_than_lora(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    lora = finetune_time(llama8b, FinetuneSetup(method="lora"), 1e8, h100)
    qlora = finetune_time(llama8b, FinetuneSetup(method="qlora"), 1e8, h100)
    assert float(lora.wall_time_s / qlora.wall_time_s) == pytest.approx(QLORA_SPEED_FACTOR.value)


def test_gpus_for_deadline(catalog: Catalog, h100: AcceleratorSpec) -> None:
    model = catalog.model("llama-3.1-70b")
    setup = FinetuneSetup(method="full", zero_stage=3, seq_len_tokens=4096)
    plan = gpus_for_deadline(model, setup, 2e9, np.array([10.0, 1000.0]), h100,
                             usd_per_gpu_hour=2.0)
    compute_n, memory_n = (int(x) for x in plan.gpus_needed)
    assert list(plan.bound) == ["compute", "memory"]
    assert memory_n == int(finetune_memory(model, setup, h100).min_gpus_to_fit)
    at_n = finetune_time(model, replace(setup, gpus=compute_n), 2e9, h100)
    below = finetune_time(model, replace(setup, gpus=compute_n - 1), 2e9, h100)
    assert float(at_n.wall_time_h) <= 10.0 < float(below.wall_time_h)
    assert float(plan.cost_usd[0]) == pytest.approx(float(plan.gpu_hours[0]) * 2.0)


def test_deadline_when_nothing_fits(catalog: Catalog) -> None:
    model = catalog.model("llama-3.1-70b")
    plan = gpus_for_deadline(model, FinetuneSetup(method="full"), 1e9, 24.0,
                             catalog.accelerator("nvidia-geforce-rtx-4090-24gb"))
    assert int(plan.gpus_needed) == 0 and str(plan.bound) == "does-not-fit"


def test_efficiency_defaults_per_hardware_class(catalog: Catalog) -> None:
    hopper = default_training_efficiency(catalog.accelerator("nvidia-h100-sxm-80gb"))
    ampere = default_training_efficiency(catalog.accelerator("nvidia-a100-sxm4-80gb"))
    consumer = default_training_efficiency(catalog.accelerator("nvidia-geforce-rtx-4090-24gb"))
    assert (hopper.value, ampere.value, consumer.value) == (0.40, 0.45, 0.35)
    assert "Llama 3" in hopper.source and "Korthikanti" in ampere.source
    assert "assumption" in consumer.source


def test_missing_peak_names_the_accelerator(catalog: Catalog, llama8b: ModelSpec) -> None:
    # A catalog entry whose tensor peaks have no source yet (values are null, never guessed).
    ada = replace(catalog.accelerator("nvidia-rtx-6000-ada-48gb"), peak_tflops={})
    with pytest.raises(PlanningInputError, match="RTX 6000 Ada"):
        finetune_time(llama8b, FinetuneSetup(), 1e8, ada)
    t = finetune_time(llama8b, FinetuneSetup(), 1e8, ada, peak_flops_per_s=364.2e12)
    assert float(t.wall_time_s) > 0


# --- properties ---------------------------------------------------------------------------

METHOD = st.sampled_from(["full", "lora", "qlora"])
OPTIMIZER = st.sampled_from(["adamw", "adamw_8bit", "paged_adamw", "paged_adamw_8bit"])


@settings(max_examples=60, deadline=None)
@given(method=METHOD, optimizer=OPTIMIZER, stage=st.integers(0, 3),
       gpus=st.integers(1, 511), seq=st.integers(1, 32768))
def test_more_gpus_never_raise_per_gpu_memory(method: str, optimizer: str, stage: int,
                                               gpus: int, seq: int) -> None:
    model = Catalog.shipped().model("llama-3.1-8b")
    setup = FinetuneSetup(method=method, optimizer=optimizer, zero_stage=stage,
                          seq_len_tokens=seq, gpus=np.array([gpus, gpus + 1]))
    total = finetune_memory(model, setup, capacity_bytes=80e9).total_bytes
    assert total[1] <= total[0] * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(seq=st.integers(1, 65536), extra=st.integers(1, 65536), batch=st.integers(1, 64),
       mode=st.sampled_from(["none", "selective", "full"]),
       attention=st.sampled_from(["flash", "eager"]), rank=st.integers(1, 256))
def test_longer_sequences_never_lower_activations(seq: int, extra: int, batch: int, mode: str,
                                                  attention: str, rank: int) -> None:
    model = Catalog.shipped().model("qwen3-8b")
    act = activation_memory(model, np.array([seq, seq + extra]), batch, checkpointing=mode,
                            attention=attention, lora_rank=rank, lora_targets=("q", "v"),
                            lora_dropout=True).total_bytes
    assert act[1] >= act[0]


@settings(max_examples=60, deadline=None)
@given(method=METHOD, tokens=st.floats(0, 1e12), extra=st.floats(0, 1e12),
       gpus=st.integers(1, 64))
def test_more_tokens_never_lower_time(method: str, tokens: float, extra: float,
                                      gpus: int) -> None:
    catalog = Catalog.shipped()
    model = catalog.model("llama-3.1-8b")
    t = finetune_time(model, FinetuneSetup(method=method, gpus=gpus),
                      np.array([tokens, tokens + extra]), catalog.accelerator("nvidia-a100-sxm4-80gb"))
    assert t.wall_time_s[1] >= t.wall_time_s[0]


# --- one-call plan ------------------------------------------------------------------------

def test_plan_finetune_kpis(llama8b: ModelSpec, h100: AcceleratorSpec) -> None:
    from app.engine.finetune_plan import plan_finetune

    setup = FinetuneSetup(method="qlora", seq_len_tokens=2048, micro_batch=4)
    plan = plan_finetune(llama8b, setup, 2e8, h100, usd_per_gpu_hour=2.5, deadline_hours=2.0,
                         runs_per_month=52 / 12)
    kpis = plan.kpis()
    assert kpis["fits"] is True
    assert kpis["gpus"] == kpis["gpus_for_deadline"] == plan.gpus
    assert isinstance(kpis["wall_time_h"], float) and kpis["wall_time_h"] <= 2.0
    assert kpis["cost_per_run_usd"] == pytest.approx(2.5 * float(plan.time.gpu_hours))
    assert kpis["gpu_hours_per_month"] == pytest.approx(float(plan.time.gpu_hours) * 52 / 12)
    demand = plan.pool_demand("weekly fine-tune")
    assert demand.job_gpus == plan.gpus and demand.kind == "finetune"
    no_price = plan_finetune(llama8b, setup, 2e8, h100).kpis()
    assert no_price["cost_per_run_usd"] is None and "gpus_for_deadline" not in no_price
    with pytest.raises(PlanningInputError, match="single numbers"):
        plan_finetune(llama8b, replace(setup, gpus=np.array([1, 2])), 1e6, h100)
