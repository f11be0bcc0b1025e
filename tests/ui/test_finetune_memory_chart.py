"""The fine-tune memory chart: drawn against a baseline, labelled with each part's size, and
marked when the run does not fit. The pool placement chart the same area shows has its own
baseline (test_pool_chart.py)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.reports.charts.finetune_memory import FinetuneMemoryChart, subtitle
from app.reports.workload_kind_cards import FinetuneMemoryData
from tests.ui.image_compare import assert_image_matches

WIDTH, HEIGHT = 640, 230


def sample(fits: bool = True) -> FinetuneMemoryData:
    """Hand-written (an engine change never moves the baseline): a LoRA run of a 70B model on
    three 80 GB GPUs at ZeRO stage 3; or, not fitting, full fine-tuning on one GPU."""
    if fits:
        parts = (("weights", 47.1), ("gradients", 0.09), ("optimizer states", 0.17),
                 ("activations", 9.4), ("overhead", 7.4))
        return FinetuneMemoryData("weekly-lora", parts, 80.0, 3, 3, 3, True)
    parts = (("weights", 141.0), ("gradients", 141.0), ("optimizer states", 846.0),
             ("activations", 20.0), ("overhead", 9.0))
    return FinetuneMemoryData("full-70b", parts, 80.0, 1, 0, None, False, "does not fit")


def _chart(qtbot: QtBot, data: FinetuneMemoryData) -> FinetuneMemoryChart:
    chart = FinetuneMemoryChart()
    qtbot.addWidget(chart)
    chart.prepare_offscreen(WIDTH, HEIGHT)
    chart.set_data(data)
    chart.settle()
    return chart


def test_finetune_memory_chart_matches_its_baseline(qtbot: QtBot) -> None:
    chart = _chart(qtbot, sample())
    assert_image_matches(chart.to_image(1.0), "chart-finetune-memory")


def test_finetune_memory_chart_is_labelled(qtbot: QtBot) -> None:
    chart = _chart(qtbot, sample())
    assert chart.title == "Memory per GPU of one run: weekly-lora"
    names = [label.text for _, label in chart.legend.items]
    assert names == ["weights 47.1 GB", "gradients 0.09 GB", "optimizer states 0.17 GB",
                     "activations 9.4 GB", "overhead 7.4 GB", "GPU capacity"]
    assert chart.plot.getAxis("bottom").labelText == "Memory per GPU (GB)"
    assert subtitle(sample()) == ("64.2 GB of 80.0 GB (80%) on each of 3 GPUs, ZeRO stage 3 · "
                                  "fewest GPUs that fit: 3")


def test_a_run_that_does_not_fit_says_so(qtbot: QtBot) -> None:
    chart = _chart(qtbot, sample(fits=False))
    assert subtitle(sample(fits=False)) == ("1,157.0 GB of 80.0 GB (1446%) on its one GPU, "
                                            "ZeRO stage 0 · no GPU count fits · does not fit")
    assert [label.text for _, label in chart.legend.items][-1] == "beyond the GPU"
    view = chart.plot.getViewBox().viewRange()
    assert view[0][1] >= sample(fits=False).total_gb  # the whole bar is in view


def test_a_workload_name_prints_as_typed(qtbot: QtBot) -> None:
    data = sample()
    named = FinetuneMemoryData("<i>lora</i> & co", data.parts, data.capacity_gb, data.job_gpus,
                               data.zero_stage, data.min_gpus_to_fit, data.fits)
    chart = _chart(qtbot, named)
    assert chart.title_item.item.toPlainText() == "Memory per GPU of one run: <i>lora</i> & co"
