"""The six charts (pyqtgraph), each built from its chart-data object.

| widget                    | data (app.operations.chart_data) |
|---------------------------|----------------------------------|
| MemoryWaterfallChart      | MemoryWaterfallData              |
| LoadCurveChart            | LoadCurveData                    |
| CumulativeCostChart       | CumulativeCostData               |
| CostBreakdownChart        | CostBreakdownData                |
| TornadoChart              | TornadoData                      |
| DistributionChart         | DistributionData                 |

Overlays for Compare: CumulativeCostOverlayChart, LoadCurveOverlayChart. See `base.Chart` for
rendering to a painter (PDF), PNG/SVG bytes and files. Import the classes from their modules.
"""
