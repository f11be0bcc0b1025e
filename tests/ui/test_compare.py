"""Compare: pick scenarios, read the KPI table with its colours, see the overlaid charts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.storage import scenario_store
from app.ui import messages
from app.ui.main_window import MainWindow
from app.ui.views.compare_view import BEST_BG, WORST_BG, CompareView


def _compare(window: MainWindow) -> CompareView:
    view = window.show_screen("Compare")
    assert isinstance(view, CompareView)
    return view


def test_compare_two_then_three_scenarios(qtbot: QtBot, demo_window: MainWindow) -> None:
    view = _compare(demo_window)
    assert len(view.chosen_ids()) == 2  # the first two, ticked when the screen opens
    qtbot.waitUntil(lambda: view.table_data is not None, timeout=30_000)
    table = view.table_data
    assert table is not None and len(table.names) == 2
    assert view.table.columnCount() == 2 and view.table.rowCount() == len(table.rows)
    labels = [view.table.verticalHeaderItem(r).text() for r in range(view.table.rowCount())]
    assert "TCO (on-premise)" in labels and "Break-even vs API" in labels
    gpus = labels.index("GPUs at the start")
    colours = {view.table.item(gpus, c).background().color().name() for c in range(2)}
    row = table.rows[gpus]
    if row.values[0] != row.values[1]:
        assert colours == {BEST_BG, WORST_BG}  # the fewer GPUs green, the more red
    assert len(view.cumulative.plot.listDataItems()) == 2
    assert len(view.load.throughput.listDataItems()) == 2

    three = [r.id for r in scenario_store.list_rows(demo_window.workspace.db)][:3]
    view.choose(three)
    qtbot.waitUntil(lambda: view.table_data is not None and len(view.table_data.names) == 3,
                    timeout=30_000)
    assert view.table.columnCount() == 3
    header = view.table.horizontalHeaderItem(0)
    assert header is not None and header.toolTip() == view.table_data.names[0]


def test_at_most_four_and_at_least_two(qtbot: QtBot, window: MainWindow) -> None:
    for i in range(5):
        window.scenarios_view().create_from_template(f"S{i}", "chat")
    view = _compare(window)
    view.choose([])
    assert view.table_data is None and view.summary.text() == messages.COMPARE_HINT
    for i in range(4):
        view.list.item(i).setCheckState(Qt.CheckState.Checked)
    view.list.item(4).setCheckState(Qt.CheckState.Checked)  # a fifth is refused
    assert len(view.chosen_ids()) == 4
    assert view.list.item(4).checkState() == Qt.CheckState.Unchecked
    assert view.message.text() == messages.COMPARE_TOO_MANY.format(count=4)


def test_an_edit_to_a_compared_scenario_updates_the_table(qtbot: QtBot,
                                                          demo_window: MainWindow) -> None:
    view = _compare(demo_window)
    qtbot.waitUntil(lambda: view.table_data is not None, timeout=30_000)
    first = view.chosen_ids()[0]
    before = view.table_data
    dashboard = demo_window.dashboard_view()
    dashboard.open_scenario(first)
    demo_window.show_screen("Compare")
    assert dashboard.editor.edit("costs.staff_fte", "9")
    qtbot.waitUntil(lambda: view.table_data is not before, timeout=30_000)
    assert view.table_data is not None
    row = next(r for r in view.table_data.rows if r.key == "opex_usd_per_month")
    old = next(r for r in before.rows if r.key == "opex_usd_per_month")  # type: ignore[union-attr]
    assert row.values[0] != old.values[0]
