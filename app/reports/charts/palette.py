"""Colours and line widths of every chart, declared once.

Series colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which
people with any common colour-vision deficiency can tell apart; cost categories use Paul Tol's
"muted" scheme (Tol 2021, "Colour schemes", SRON/EPS/TN/09-002) plus a few of his "light"
colours, each category keeping the same colour in every chart. Lines are at least 2 px wide
so they stay visible when printed and in scaled PNG exports.
"""

from __future__ import annotations

# Okabe–Ito
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

ONPREM = BLUE
API = VERMILLION
RENTAL = BLUISH_GREEN
BAND_ALPHA = 60  # of 255, the on-premise P10–P90 band

THROUGHPUT = BLUE
TTFT = ORANGE
TPOT = REDDISH_PURPLE
LIMIT = "#555555"  # operating limits and reference lines

TORNADO_LOW = SKY_BLUE
TORNADO_HIGH = ORANGE

HISTOGRAM = "#7FA8CC"
P50 = BLUE
P10_P90 = "#555555"

MEMORY = {
    "total": "#8C8C8C",
    "reserved": "#C8C8C8",
    "overhead": ORANGE,
    "weights": BLUE,
    "kv": BLUISH_GREEN,
    "free": SKY_BLUE,
    "short": VERMILLION,  # memory missing: the model does not fit
}

CATEGORY = {
    "accelerators": "#332288",
    "servers": "#88CCEE",
    "network": "#44AA99",
    "storage": "#117733",
    "integration": "#999933",
    "facility": "#DDCC77",
    "energy": "#CC6677",
    "hosting": "#882255",
    "support": "#AA4499",
    "software": "#EE8866",
    "staff": "#0077BB",
    "other": "#BBBBBB",
}
CATEGORY_FALLBACK = "#DDDDDD"

# Several scenarios overlaid (Compare): solid, dashed, dotted, dash-dot in this order.
SCENARIO_COLOURS = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE)

PEN_WIDTH = 2.0
THIN_PEN_WIDTH = 1.5
TEXT = "#1E2630"
MUTED_TEXT = "#5F6B7A"
GRID_ALPHA = 0.25
BACKGROUND = "#FFFFFF"
