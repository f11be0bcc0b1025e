"""The look of the app: one restrained style sheet and the few colours views use directly."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from app.paths import resources_dir

ACCENT = "#1f5fbf"
OVERRIDE_BLUE = "#1f5fbf"
ADDED_GREEN = "#2e7d32"
IMPORTED_PURPLE = "#6a3d9a"
ERROR_RED = "#c62828"
MUTED = "#5f6b7a"
BORDER = "#c9d0d9"
SIDEBAR_BG = "#eef1f5"
WINDOW_BG = "#f7f8fa"

STATE_COLOURS = {"override": OVERRIDE_BLUE, "added": ADDED_GREEN, "imported": IMPORTED_PURPLE}

STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {WINDOW_BG}; }}
QWidget#screen, QWidget#results, QWidget#editorContent {{ background: {WINDOW_BG}; }}
QLabel#heading {{ font-size: 17pt; font-weight: bold; color: #17202b; }}
QLabel#summary, QLabel#hint {{ color: {MUTED}; }}
QLabel#recoveryIntro {{ font-size: 11pt; font-weight: bold; color: #17202b; }}
QLabel#fieldError {{ color: {ERROR_RED}; font-size: 9pt; }}
QLabel#errorSummary {{ color: {ERROR_RED}; }}
QLabel#okSummary {{ color: {ADDED_GREEN}; }}
QFrame#sidebar {{ background: {SIDEBAR_BG}; border-right: 1px solid {BORDER}; }}
QLabel#brand {{ font-size: 15pt; font-weight: bold; color: #17202b; padding: 14px 14px 2px 14px; }}
QLabel#brandSub {{ color: {MUTED}; font-size: 8pt; padding: 0 14px 12px 14px; }}
QListWidget#navigation {{ background: transparent; border: none; outline: none;
    font-size: 11pt; }}
QListWidget#navigation::item {{ padding: 9px 12px; margin: 1px 8px; border-radius: 5px;
    color: #26313d; }}
QListWidget#navigation::item:hover {{ background: #e2e8f0; }}
QListWidget#navigation::item:selected {{ background: #d6e4fb; color: #0b2e66;
    font-weight: bold; }}
QPushButton {{ padding: 5px 12px; border: 1px solid {BORDER}; border-radius: 4px;
    background: white; color: #17202b; }}
QPushButton:hover {{ background: #eef3fb; border-color: #9fb4d3; }}
QPushButton:pressed {{ background: #dde7f7; }}
QPushButton:disabled {{ color: #9aa4b1; background: #f3f4f6; border-color: #dde1e7; }}
QPushButton:default {{ border-color: {ACCENT}; }}
QLineEdit, QPlainTextEdit, QComboBox {{ padding: 4px 6px; border: 1px solid {BORDER};
    border-radius: 4px; background: white; selection-background-color: #cfe0fa;
    selection-color: black; }}
QComboBox::drop-down {{ border: none; width: 22px; }}
QComboBox::down-arrow {{ image: url("{{icons}}/chevron-down.svg"); width: 10px; height: 6px; }}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus {{ border-color: {ACCENT}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 1px solid {ERROR_RED}; background: #fff5f5; }}
QLineEdit:read-only {{ background: #f3f4f6; color: #4a5563; }}
QTableView {{ background: white; alternate-background-color: #f8fafc; gridline-color: #e6e9ee;
    border: 1px solid {BORDER}; selection-background-color: #cfe0fa; selection-color: black; }}
QHeaderView::section {{ background: #f1f3f6; color: #26313d; padding: 5px 6px; border: none;
    border-right: 1px solid #e1e5ea; border-bottom: 1px solid {BORDER}; font-weight: bold; }}
QTextBrowser, QPlainTextEdit#jsonPreview {{ background: white; border: 1px solid {BORDER};
    border-radius: 4px; }}
QGroupBox {{ font-weight: bold; border: 1px solid #dde1e7; border-radius: 6px;
    margin-top: 14px; padding: 10px 8px 6px 8px; background: white; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #26313d; }}
QScrollArea {{ border: none; background: transparent; }}
QStatusBar {{ background: {SIDEBAR_BG}; border-top: 1px solid {BORDER}; color: #26313d; }}
QStatusBar QLabel {{ padding: 0 6px; }}
QSplitter::handle {{ background: transparent; }}
QFrame#kpiCard {{ background: white; border: 1px solid #dde1e7; border-left: 4px solid #9aa4b1;
    border-radius: 6px; }}
QFrame#kpiCard[tone="good"] {{ border-left-color: {ADDED_GREEN}; }}
QFrame#kpiCard[tone="bad"] {{ border-left-color: {ERROR_RED}; }}
QFrame#kpiCard[tone="warn"] {{ border-left-color: #c98a00; }}
QFrame#kpiCard[tone="unknown"] {{ border-left-color: #d3d8de; }}
QLabel#kpiLabel {{ color: {MUTED}; font-size: 8pt; font-weight: bold; }}
QLabel#kpiValue {{ color: #17202b; font-size: 15pt; font-weight: bold; }}
QLabel#kpiValue:disabled {{ color: #9aa4b1; }}
QLabel#kpiDetail {{ color: {MUTED}; font-size: 8pt; }}
QFrame#kpiCard[compact="true"] QLabel#kpiValue {{ font-size: 12pt; }}
QTableView#workloadTable::item {{ padding: 3px 5px; }}
QFrame#workloadsPanel {{ background: white; border: 1px solid #dde1e7; border-radius: 6px; }}
QFrame#kindCard {{ background: #f9fafb; border: 1px solid #e3e7ec; border-radius: 6px; }}
QFrame#innerChartCard {{ background: white; border: 1px solid #e3e7ec; border-radius: 6px; }}
QLabel#workloadsHeadline {{ color: #26313d; font-size: 10pt; padding-top: 4px; }}
QLabel#kindTitle {{ font-weight: bold; color: #26313d; }}
QLabel#poolFacts {{ color: #26313d; font-size: 9pt; }}
QLabel#caveat {{ color: #4a5563; font-size: 9pt; }}
QLabel#basisNote {{ color: {MUTED}; font-size: 8pt; }}
QLabel#problemBanner {{ background: #fff5f5; border: 1px solid #f0b8b8; border-radius: 6px;
    color: {ERROR_RED}; padding: 8px 10px; }}
QLabel#notes {{ color: #4a5563; font-size: 9pt; background: #fbfbf7; border: 1px solid #ecebe1;
    border-radius: 6px; padding: 6px 10px; }}
QFrame#constraintPanel, QFrame#chartCard {{ background: white; border: 1px solid #dde1e7;
    border-radius: 6px; }}
QFrame#formSection, QWidget#formSection {{ background: white; border: 1px solid #dde1e7;
    border-radius: 6px; }}
QToolButton#sectionToggle {{ border: none; font-weight: bold; font-size: 10pt; color: #26313d;
    padding: 3px 2px; background: transparent; }}
QLabel#fieldUnit {{ color: {MUTED}; min-width: 118px; max-width: 118px; }}
QLabel#formSubheading {{ font-weight: bold; color: #26313d; padding-top: 8px; }}
QLabel#rangeLabel {{ color: #26313d; padding-top: 4px; }}
QToolButton#chartMenu {{ border: 1px solid transparent; border-radius: 4px; padding: 1px 6px;
    color: {MUTED}; background: transparent; }}
QToolButton#chartMenu:hover {{ border-color: {BORDER}; background: #f3f6fa; }}
QTabWidget#workloadTabs::pane {{ border: none; }}
QProgressBar {{ border: 1px solid {BORDER}; border-radius: 3px; background: white;
    text-align: center; max-height: 14px; }}
QProgressBar::chunk {{ background: {ACCENT}; }}
"""


def style_sheet() -> str:
    """The style sheet with the shipped icons' folder filled in."""
    icons = (resources_dir() / "icons").as_posix()
    return STYLE_SHEET.replace("{icons}", icons)


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property (e.g. `invalid`) changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
