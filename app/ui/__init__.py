"""The desktop app (Qt). Besides it, only `app.reports.charts` and the PDF renderer use Qt.

How the pieces fit (read this before adding a screen):

- `main_window.MainWindow` owns the open `Workspace` and the app-wide services, and builds every
  screen listed in `main_window.SCREENS` (navigation order; screen N gets Ctrl+N). A screen is a
  QWidget with a `title` class attribute and a constructor taking a `context.ScreenContext`.
  Opening another workspace rebuilds the screens, so a screen only ever sees one workspace.
- Changes: call an operation from `app/operations` through `ctx.undo.run(lambda: op(...))`. It
  returns an `Outcome` (`Change` + inverse) and becomes one Undo/Redo step; a `UserError` comes
  back to the caller (show it at the field, or with `dialogs.alerts.show_message`) and nothing is
  pushed. Screens refresh from `ctx.events.changed(Change)` (kind, ids, description, scope),
  never by calling each other.
- Long work: `ctx.tasks.run(fn, title, on_done=..., on_error=...)` with a pure
  `fn(progress, cancel)` (types in `app/operations/progress.py`). Results arrive on the GUI
  thread; progress and Cancel show in the status bar after 0.5 s; errors become messages. The
  worker must not touch `ctx.workspace` (one thread owns the database): read what it needs
  first, write in `on_done`.
- Texts: user-facing messages live in `messages.py` (tests refer to them by name); colours and
  the style sheet in `style.py`.
- Charts: widgets in `app.reports.charts`, built from `app.operations.chart_data`; put one in a
  `views.chart_card.ChartCard` for its PNG/SVG export menu. Import them inside the function
  that first needs them: pyqtgraph costs a third of a second at start-up.
- A screen may define `shutdown()` (the window closes or the workspace changes: stop timers and
  tasks) and `settle_for_screenshot()` (wait for pending results before `--smoke` grabs it).
- Tests: pytest-qt fixtures in `tests/ui/conftest.py` (`window`, `ws`, `take_message`); charts
  are compared with baselines by `tests/ui/image_compare.assert_image_matches`.
"""
