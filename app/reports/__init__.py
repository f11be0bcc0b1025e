"""Reports: report content as data (Qt-free) and its renderers.

`charts` holds the chart widgets (pyqtgraph) shared by the dashboard, Compare and the PDF;
everything else in this package stays Qt-free (an import contract in pyproject.toml says so),
except the PDF renderer.
"""
