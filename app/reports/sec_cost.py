"""Total cost of ownership and uncertainty sections."""

from __future__ import annotations

from app.operations.evaluate import MonthPoint
from app.reports import chart_inputs as ci
from app.reports import fmt
from app.reports import tables as t
from app.reports.labels import category_label, field_label
from app.reports.model import Block, Chart, Kpi, KpiGrid, Paragraph
from app.reports.sentences import horizon_text
from app.reports.subject import ReportSubject

PERCENTILE_ROWS = (
    ("tco_usd", "TCO of owning", fmt.usd),
    ("npv_usd", "NPV of owning vs the API", fmt.usd),
    ("capex_usd", "CapEx (month 1)", fmt.usd),
    ("opex_usd_per_month", "OpEx per month (mean)", fmt.usd),
    ("cost_per_million_tokens_usd", "cost per 1M tokens (owning)", fmt.usd_cents),
    ("api_tco_usd", "cloud API over the horizon", fmt.usd),
    ("rental_tco_usd", "rented GPUs over the horizon", fmt.usd),
    ("utilisation_mean", "GPU utilisation (mean)", fmt.pct),
    ("gpus_final", "GPUs at the end", fmt.num),
)


def tco_kpis(s: ReportSubject) -> KpiGrid:
    k = s.result.kpis
    horizon = s.result.scenario.costs.horizon_months
    items = [
        Kpi(f"TCO over {horizon_text(horizon)}", fmt.usd_short(k.tco_usd), fmt.usd(k.tco_usd)),
        Kpi("CapEx (month 1)", fmt.usd_short(k.capex_usd),
            f"OpEx {fmt.usd_short(k.opex_usd_per_month)} per month"),
        Kpi("cost per 1M tokens", fmt.usd_cents(k.cost_per_million_tokens_usd),
            f"API {fmt.usd_cents(k.api_cost_per_million_tokens_usd)}"),
    ]
    if k.api_tco_usd is not None:
        items.append(Kpi("cloud API", fmt.usd_short(k.api_tco_usd),
                         "break-even " + fmt.month(k.break_even_month_vs_api, horizon)))
    if k.rental_tco_usd is not None:
        items.append(Kpi("rented GPUs", fmt.usd_short(k.rental_tco_usd),
                         "break-even " + fmt.month(k.break_even_month_vs_rental, horizon)))
    if k.npv_usd is not None:
        items.append(Kpi(f"NPV vs API ({fmt.pct(s.result.scenario.costs.discount_rate_per_year)})",
                         fmt.usd_short(k.npv_usd),
                         "owning saves" if k.npv_usd >= 0 else "owning costs more",
                         "good" if k.npv_usd >= 0 else "bad"))
    return KpiGrid(tuple(items), columns=3)


def tco_blocks(s: ReportSubject, key: str) -> list[Block]:
    r = s.result
    k = r.kpis
    if k.tco_usd is None:
        return [Paragraph("The model does not fit in memory, so the cost is not evaluated.")]
    blocks: list[Block] = [
        tco_kpis(s),
        Chart(key=f"{key}-cumulative", kind="cumulative_cost", title="Cumulative cost (USD)",
              data=ci.cumulative_cost(s),
              caption="Cumulative cost month by month: owning (purchases, then running costs) "
                      "against the cloud API and renting the same GPUs; the first crossing is "
                      "the break-even."),
    ]
    years = len(r.cost_breakdown[0].usd_by_year) if r.cost_breakdown else 0
    cols = [t.left("category"), t.left("kind")]
    cols += [t.right(f"year {y + 1}", "USD") for y in range(years)]
    cols += [t.right("total", "USD"), t.right("share")]
    rows = []
    for c in r.cost_breakdown:
        if c.usd == 0 and not any(c.usd_by_year):
            continue
        rows.append([t.text(category_label(c.category)), t.text(c.kind)]
                    + [t.money(v) for v in c.usd_by_year]
                    + [t.money(c.usd), t.number(c.usd / k.tco_usd if k.tco_usd else None,
                                                fmt.pct)])
    totals = [sum(c.usd_by_year[y] for c in r.cost_breakdown) for y in range(years)]
    rows.append([t.text("total", "total"), t.text("")]
                + [t.money(v, "total") for v in totals]
                + [t.money(k.tco_usd, "total"), t.number(1.0, fmt.pct, "total")])
    zero = [category_label(c.category) for c in r.cost_breakdown if c.usd == 0]
    blocks.append(t.table(f"{key}-breakdown", "Cost of owning by category and year (USD)",
                          cols, rows, font="small",
                          note=("Not counted (zero in the scenario): " + ", ".join(zero) + ".")
                          if zero else ""))
    blocks.append(Chart(key=f"{key}-breakdown", kind="cost_breakdown",
                        title="Cost of owning by year and category (USD)",
                        data=ci.cost_breakdown(s)))
    yrows = []
    for y in range(years):
        months = [p for p in r.series if (p.month - 1) // 12 == y]
        if not months:
            continue

        yrows.append([t.text(f"year {y + 1}"), t.money(_year_total(months, "onprem_usd")),
                      t.money(_year_total(months, "api_usd")),
                      t.money(_year_total(months, "rental_usd")),
                      t.number(float(sum(p.tokens for p in months)), fmt.tokens)])
    blocks.append(t.table(f"{key}-yearly", "Owning against the alternatives, year by year (USD)",
                          [t.left("year"), t.right("owning", "USD"), t.right("cloud API", "USD"),
                           t.right("rented GPUs", "USD"), t.right("tokens", "tokens")], yrows,
                          note="n/a: the alternative is not chosen in the scenario."))
    return blocks


def _year_total(months: list[MonthPoint], attr: str) -> float | None:
    """Sum of one cost path over some months; None when the path is not chosen."""
    values = [getattr(p, attr) for p in months]
    return None if any(v is None for v in values) else float(sum(values))


def uncertainty_blocks(s: ReportSubject, key: str) -> list[Block]:
    r = s.result
    mc = r.uncertainty
    if mc is None:
        return [Paragraph("The model does not fit in memory, so no uncertainty is evaluated.")]
    names = tuple(w.name for w in r.scenario.workloads)
    blocks: list[Block] = []
    if not mc.inputs:
        blocks.append(Paragraph("No input of this scenario carries a range: the figures are "
                                "single values."))
        return blocks
    blocks.append(Paragraph(
        f"{mc.draws:,} Monte Carlo draws (seed {mc.seed}) of {len(mc.inputs)} inputs with "
        "ranges, drawn independently; the fleet is sized at the likely demand and drawn demand "
        "above it buys more GPUs within each draw."))
    rows = []
    for name, label, printer in PERCENTILE_ROWS:
        p = mc.percentiles.get(name)
        if p is None or (p.p10 is None and p.p50 is None and p.p90 is None):
            continue
        rows.append([t.text(label), t.number(p.p10, printer), t.number(p.p50, printer),
                     t.number(p.p90, printer)])
    horizon = r.scenario.costs.horizon_months
    for name, label in (("break_even_month_vs_api", "break-even month vs API"),
                        ("break_even_month_vs_rental", "break-even month vs rental")):
        p = mc.percentiles.get(name)
        if p is None:
            continue
        rows.append([t.text(label)] + [
            t.number(v, lambda x: "never" if x is None else f"month {int(x)}")
            for v in (p.p10, p.p50, p.p90)])
    blocks.append(t.table(f"{key}-percentiles", "P10 / P50 / P90 of the key figures",
                          [t.left("figure", 46), t.right("P10"), t.right("P50"), t.right("P90")],
                          rows, note=f"“never”: no break-even within {horizon} months."))
    odds = []
    if mc.p_onprem_cheaper_than_api is not None:
        odds.append(f"owning is cheaper than the cloud API in "
                    f"{fmt.pct(mc.p_onprem_cheaper_than_api)} of the draws")
    if mc.p_onprem_cheaper_than_rental is not None:
        odds.append(f"cheaper than renting in {fmt.pct(mc.p_onprem_cheaper_than_rental)}")
    if odds:
        blocks.append(Paragraph("Over the horizon, " + "; ".join(odds) + " (nominal TCO)."))
    blocks.append(Chart(key=f"{key}-distribution", kind="distribution",
                        title="Distribution of the TCO over the Monte Carlo draws",
                        data=ci.distribution(s)))
    if any(b.swing > 0 for b in r.tornado):
        blocks.append(Chart(key=f"{key}-tornado", kind="tornado",
                            title="Sensitivity of the TCO to each input (tornado)",
                            data=ci.tornado(s),
                            aspect=min(0.85, 0.45 + 0.035 * len(r.tornado)),
                            caption="Each input moved from its low to its high value with all "
                                    "others at their base value; widest swing first."))
    trows = [[t.text(field_label(b.path, names)), t.text(b.path),
              t.number(b.low, fmt.sig), t.number(b.high, fmt.sig),
              t.money(b.kpi_at_low), t.money(b.kpi_at_high), t.money(b.swing)]
             for b in r.tornado]
    blocks.append(t.table(f"{key}-tornado", "Tornado: TCO with each input at its low and high",
                          [t.left("input"), t.left("field"), t.right("low"), t.right("high"),
                           t.right("TCO at low", "USD"), t.right("TCO at high", "USD"),
                           t.right("swing", "USD")], trows, font="small",
                          note="A swing of 0: the input does not move the TCO (for example an "
                               "alternative's price, or demand that the sized fleet absorbs)."))
    return blocks
