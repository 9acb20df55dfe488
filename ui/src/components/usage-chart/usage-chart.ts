// A small time-series chart (uPlot): one y axis, one or more series sharing it.
import { html, type PropertyValues, type TemplateResult } from 'lit'
import uPlot from 'uplot'
import { OcElement } from '../../base-element.js'
import { usageChartStyles } from './usage-chart.styles.js'

export interface ChartSeries {
  label: string
  color: string
}

const HEIGHT = 180

export class OcUsageChart extends OcElement {
  static override styles = usageChartStyles
  static override properties = {
    label: {},
    // Compared by value: pages build the (translated) list on each render.
    series: { attribute: false, hasChanged: (next: unknown, previous: unknown) => JSON.stringify(next) !== JSON.stringify(previous) },
    data: { attribute: false },
    format: { attribute: false }
  }

  /** Accessible name of the chart. */
  declare label: string
  declare series: ChartSeries[]
  /** [x in Unix seconds, ...one array of values per series]. */
  declare data: uPlot.AlignedData
  /** Formats y values on the axis and in the legend. */
  declare format: (value: number) => string

  private plot: uPlot | undefined
  private readonly resize = new ResizeObserver(() => { this.plot?.setSize({ width: this.plotWidth(), height: HEIGHT }) })

  constructor () {
    super()
    this.label = ''
    this.series = []
    this.data = [[]]
    this.format = (value) => String(value)
  }

  private plotWidth (): number {
    return Math.max(200, this.renderRoot.querySelector('.plot')?.clientWidth ?? 300)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.resize.disconnect()
    this.plot?.destroy()
    this.plot = undefined
  }

  override connectedCallback (): void {
    super.connectedCallback()
    // Reattached (e.g. after the router moved it): draw again on the next update.
    if (this.hasUpdated) this.requestUpdate('series')
  }

  protected override updated (changed: PropertyValues<this>): void {
    const target = this.renderRoot.querySelector<HTMLElement>('.plot')!
    if (this.plot === undefined || changed.has('series') || changed.has('format')) {
      this.plot?.destroy()
      const muted = getComputedStyle(this).getPropertyValue('--oc-muted').trim() || '#777'
      const grid = getComputedStyle(this).getPropertyValue('--oc-border').trim() || '#ddd'
      const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }
      this.plot = new uPlot({
        width: this.plotWidth(),
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        legend: { show: true },
        axes: [axis, { ...axis, size: 64, values: (_plot, ticks) => ticks.map((tick) => this.format(tick)) }],
        scales: {
          // One sample has no span: uPlot would stretch it over years, so show the minute around it.
          x: { time: true, range: (_plot, min, max) => min === max ? [min - 60, max + 60] : [min, max] },
          y: { range: (_plot, min, max) => [0, Math.max(max, min + 1) * 1.1] }
        },
        series: [{}, ...this.series.map((series) => ({ label: series.label, stroke: series.color, fill: `${series.color}22`, width: 2, value: (_plot: uPlot, value: number | null) => value == null ? '—' : this.format(value) }))]
      }, this.data, target)
      this.resize.observe(target)
    } else if (changed.has('data')) {
      this.plot.setData(this.data)
    }
  }

  override render (): TemplateResult {
    return html`<figure role="img" aria-label=${this.label}><div class="plot"></div></figure>`
  }
}
