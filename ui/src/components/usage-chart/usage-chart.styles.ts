import { css, unsafeCSS } from 'lit'
import uPlotCss from 'uplot/dist/uPlot.min.css?inline'

export const usageChartStyles = [unsafeCSS(uPlotCss), css`
  :host { display: block; min-width: 0; }
  figure { margin: 0; }
  .plot { width: 100%; min-height: 180px; }
  .u-legend { font-size: 0.8rem; color: var(--oc-muted); }
`]
