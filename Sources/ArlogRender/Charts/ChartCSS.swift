/// The stylesheet a page holding charts inlines once (the HTML report). Every chart draws
/// correctly without it (colours and sizes are attributes, so a lone .svg file renders); the
/// classes let a page size the charts, keep them whole across printed pages and restyle them.
///
/// Classes: `arlog-chart` and `arlog-chart-{bar,hbar,donut,line}` on the root; `ac-title`,
/// `ac-legend`, `ac-legend-item`, `ac-axis` (`ac-axis-x`, `ac-axis-y`, `ac-axis-y2`,
/// `ac-axis-cat`), `ac-axis-title`, `ac-grid`, `ac-zero`, `ac-label`, `ac-bars`, `ac-bar`,
/// `ac-slice`, `ac-lines`, `ac-line`, `ac-point`, `ac-events`, `ac-event`, `ac-value`,
/// `ac-totals`, `ac-centre`, `ac-note`, `ac-empty`; `ac-s{i}` marks series (or slice) i.
public enum ChartCSS {
    public static let stylesheet = """
        .arlog-chart{display:block;width:100%;height:auto;max-width:52rem;margin:0 0 1rem 0}
        .arlog-chart text{font-variant-numeric:tabular-nums}
        @media print{
        .arlog-chart{max-width:100%;break-inside:avoid;page-break-inside:avoid}
        .arlog-chart .ac-bg{fill:none}
        .arlog-chart .ac-grid{stroke:#BBBBBB}
        }
        """
}
