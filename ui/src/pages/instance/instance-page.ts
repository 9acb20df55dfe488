// One instance: status, address, lifecycle actions with confirmation, live progress while it
// changes, CPU and memory charts while it runs, and the live log tail.
import { html, nothing, type TemplateResult } from 'lit'
import type uPlot from 'uplot'
import type { ConfirmOptions, OcConfirmDialog } from '../../components/confirm-dialog/confirm-dialog.js'
import type { OcLogTail } from '../../components/log-tail/log-tail.js'
import { ApiError } from '../../data/http.js'
import { FINAL_PROGRESS, type ProgressEvent, type Tenant, type TenantAction, type TenantStatus } from '../../data/tenants.js'
import { describeError } from '../../i18n/errors.js'
import { formatBytes, formatDateTime, formatDuration, formatNumber, formatPercent, t, tKnown } from '../../i18n/locale.js'
import { navigate } from '../../navigation.js'
import { OcPage } from '../page.js'
import { instancePageStyles } from './instance-page.styles.js'

const STATS_EVERY_MS = 3000
/** Ten minutes of samples at STATS_EVERY_MS. */
const STATS_KEPT = 200
const SETTLED: ReadonlySet<TenantStatus> = new Set(['running', 'stopped', 'failed', 'deleted'])
/** Statuses whose steps the progress stream reports (it ends at routable, failed, stopped or deleted). */
const STARTING: ReadonlySet<TenantStatus> = new Set(['scheduled', 'creating', 'starting'])
/** How often the record is fetched while the instance is changing, and how long after an action. */
const POLL_MS = 2000
const AFTER_ACTION_MS = 30_000

/** The instance is on its way somewhere: its status is passing, or differs from what was asked. */
const inMotion = (tenant: Tenant): boolean => !SETTLED.has(tenant.status) ||
  (tenant.desired === 'stopped' && tenant.status !== 'stopped') ||
  (tenant.desired === 'running' && tenant.status === 'stopped')
/** Statuses in which a container exists, so it has output to show. */
const HAS_CONTAINER: ReadonlySet<TenantStatus> = new Set(['starting', 'running', 'stopped', 'failed', 'unreachable'])
const CPU_COLOR = '#2563eb'
const MEMORY_COLOR = '#c2410c'

interface Sample { at: number, cpu: number, memory: number, limit: number, uptime: number }

export class OcInstancePage extends OcPage {
  static override styles = instancePageStyles
  static override properties = {
    tenantId: {},
    tenant: { state: true },
    loadError: { state: true },
    actionError: { state: true },
    busy: { state: true },
    events: { state: true },
    samples: { state: true }
  }

  declare tenantId: string
  declare tenant: Tenant | undefined
  declare loadError: unknown
  declare actionError: string
  declare busy: boolean
  declare events: ProgressEvent[]
  declare samples: Sample[]

  private stopWatching: (() => void) | undefined
  private statsTimer: ReturnType<typeof setInterval> | undefined
  private pollTimer: ReturnType<typeof setInterval> | undefined
  /** Until then the record is fetched even if it looks settled: an action was just taken. */
  private watchUntil = 0

  protected get pageTitle (): string { return this.tenant?.slug ?? t('instance.title') }

  constructor () {
    super()
    this.tenantId = ''
    this.tenant = undefined
    this.loadError = undefined
    this.actionError = ''
    this.busy = false
    this.events = []
    this.samples = []
  }

  override connectedCallback (): void {
    super.connectedCallback()
    void this.load()
    this.statsTimer = setInterval(() => { void this.sampleStats() }, STATS_EVERY_MS)
    this.pollTimer = setInterval(() => {
      if (this.tenant !== undefined && (inMotion(this.tenant) || Date.now() < this.watchUntil)) void this.refresh()
    }, POLL_MS)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.stopWatching?.()
    clearInterval(this.statsTimer)
    clearInterval(this.pollTimer)
  }

  private async load (): Promise<void> {
    this.loadError = undefined
    try {
      this.show(await this.services.tenants.get(this.tenantId))
      void this.sampleStats()
    } catch (err) {
      this.loadError = err
    }
  }

  /** Shows a fresh record, and follows the progress stream while the instance starts. */
  private show (tenant: Tenant): void {
    const previous = this.tenant?.status
    this.tenant = tenant
    // One stream per start: it replays what happened so far and ends at the first final step.
    if (!STARTING.has(tenant.status) || this.stopWatching !== undefined || (previous !== undefined && STARTING.has(previous))) return
    this.events = []
    this.stopWatching = this.services.tenants.watchProgress(tenant.id, {
      onEvent: (event) => {
        this.events = [...this.events, event]
        if (FINAL_PROGRESS.has(event.type)) this.stopWatching = undefined
        void this.refresh()
      },
      onError: () => { this.stopWatching = undefined }
    })
  }

  private async refresh (): Promise<void> {
    try {
      const tenant = await this.services.tenants.get(this.tenantId)
      const started = this.tenant?.status !== 'running' && tenant.status === 'running'
      this.show(tenant)
      // A restarted container is a new log stream.
      if (started) this.renderRoot.querySelector<OcLogTail>('oc-log-tail')?.reconnect()
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) navigate('/dashboard', { replace: true })
    }
  }

  private async sampleStats (): Promise<void> {
    if (this.tenant?.status !== 'running') return
    try {
      const stats = await this.services.tenants.stats(this.tenant.id)
      const sample = { at: Date.now() / 1000, cpu: stats.cpuPercent, memory: stats.memory.usage, limit: stats.memory.limit, uptime: stats.uptimeSeconds }
      this.samples = [...this.samples, sample].slice(-STATS_KEPT)
    } catch {
      // A missed sample leaves a gap in the chart; the status above says whether something is wrong.
    }
  }

  private async act (action: TenantAction | 'delete'): Promise<void> {
    const tenant = this.tenant!
    const question: Record<typeof action, ConfirmOptions | undefined> = {
      start: undefined,
      stop: { title: t('instance.confirmStop.title', { name: tenant.slug }), message: t('instance.confirmStop.body'), confirmLabel: t('instance.stop') },
      restart: { title: t('instance.confirmRestart.title', { name: tenant.slug }), message: t('instance.confirmRestart.body'), confirmLabel: t('instance.restart') },
      delete: { title: t('instance.confirmDelete.title', { name: tenant.slug }), message: t('instance.confirmDelete.body'), confirmLabel: t('instance.delete'), danger: true, option: t('instance.confirmDelete.purge') }
    }
    const options = question[action]
    const answer = options === undefined ? { confirmed: true, option: false } : await this.renderRoot.querySelector<OcConfirmDialog>('oc-confirm-dialog')!.ask(options)
    if (!answer.confirmed) return
    this.busy = true
    this.actionError = ''
    try {
      const updated = action === 'delete' ? await this.services.tenants.remove(tenant.id, answer.option) : await this.services.tenants.act(tenant.id, action)
      if (action === 'delete') {
        navigate('/dashboard')
        return
      }
      if (action !== 'start') this.samples = []
      this.watchUntil = Date.now() + AFTER_ACTION_MS
      this.stopWatching?.()
      this.stopWatching = undefined
      this.show(updated)
    } catch (err) {
      this.actionError = describeError(err)
    } finally {
      this.busy = false
    }
  }

  override render (): TemplateResult {
    if (this.loadError !== undefined) {
      const missing = this.loadError instanceof ApiError && this.loadError.status === 404
      return html`<div class="page stack">
        <h1>${t('instance.title')}</h1>
        ${missing
          ? html`<oc-state-view kind="error" .retry=${false} .message=${t('instance.notFound')}><a href="/dashboard">${t('nav.dashboard')}</a></oc-state-view>`
          : html`<oc-state-view kind="error" .message=${describeError(this.loadError)} @oc-retry=${this.load}></oc-state-view>`}
      </div>`
    }
    const tenant = this.tenant
    if (tenant === undefined) return html`<div class="page"><oc-state-view kind="loading"></oc-state-view></div>`
    const running = tenant.status === 'running'
    const changing = STARTING.has(tenant.status)
    return html`<div class="page stack">
      <p class="crumbs small"><a href="/dashboard">${t('nav.dashboard')}</a> / ${tenant.slug}</p>
      <div class="spread">
        <h1>${tenant.slug}</h1>
        <oc-status-badge .status=${tenant.status}></oc-status-badge>
      </div>
      ${this.actionError === '' ? nothing : html`<p class="notice error" role="alert">${this.actionError}</p>`}
      <section class="card stack" aria-label=${t('instance.details')}>
        <div class="spread">
          <p class="url mono">${running ? html`<a href=${tenant.url} target="_blank" rel="noopener">${tenant.url}</a>` : tenant.url}</p>
          ${running ? html`<a class="button primary" href=${tenant.url} target="_blank" rel="noopener">${t('instance.open')}</a>` : nothing}
        </div>
        <dl class="facts">
          <dt>${t('instance.plan')}</dt><dd>${tKnown(`plan.${tenant.plan}.name`, tenant.plan)}</dd>
          <dt>${t('instance.desired')}</dt><dd>${tKnown(`status.${tenant.desired}`, tenant.desired)}</dd>
          <dt>${t('instance.created')}</dt><dd>${formatDateTime(tenant.createdAt)}</dd>
          <dt>${t('instance.worker')}</dt><dd class="mono">${tenant.workerId}</dd>
          ${tenant.statusReason === null ? nothing : html`<dt>${t('instance.reason')}</dt><dd>${tenant.statusReason}</dd>`}
        </dl>
        <div class="row actions">
          ${tenant.status === 'stopped' || tenant.status === 'failed' ? html`<button class="primary" ?disabled=${this.busy} @click=${() => this.act('start')}>${t('instance.start')}</button>` : nothing}
          ${tenant.desired === 'running' && !(tenant.status === 'stopped') ? html`<button ?disabled=${this.busy} @click=${() => this.act('stop')}>${t('instance.stop')}</button>` : nothing}
          ${running ? html`<button ?disabled=${this.busy} @click=${() => this.act('restart')}>${t('instance.restart')}</button>` : nothing}
          <button class="danger" ?disabled=${this.busy} @click=${() => this.act('delete')}>${t('instance.delete')}</button>
        </div>
      </section>
      ${changing || (this.events.length > 0 && !running)
        ? html`<section class="card" aria-labelledby="progress-heading"><h2 id="progress-heading">${t('instance.progress')}</h2><oc-progress-steps .events=${this.events}></oc-progress-steps></section>`
        : nothing}
      ${running ? this.renderUsage() : nothing}
      <section class="card" aria-labelledby="logs-heading">
        <h2 id="logs-heading">${t('logs.title')}</h2>
        ${HAS_CONTAINER.has(tenant.status)
          ? html`<oc-log-tail .tenants=${this.services.tenants} .tenantId=${tenant.id}></oc-log-tail>`
          : html`<p class="muted">${t('logs.noContainer')}</p>`}
      </section>
      <oc-confirm-dialog></oc-confirm-dialog>
    </div>`
  }

  private renderUsage (): TemplateResult {
    const samples = this.samples
    const last = samples.at(-1)
    const times = samples.map((sample) => sample.at)
    const cpu: uPlot.AlignedData = [times, samples.map((sample) => sample.cpu)]
    const memory: uPlot.AlignedData = [times, samples.map((sample) => sample.memory)]
    return html`<section class="card stack" aria-labelledby="usage-heading">
      <div class="spread">
        <h2 id="usage-heading">${t('instance.usage')}</h2>
        ${last === undefined ? nothing : html`<p class="muted small">${t('instance.uptime', { duration: formatDuration(last.uptime) })}</p>`}
      </div>
      ${last === undefined
        ? html`<oc-state-view kind="loading"></oc-state-view>`
        : html`<div class="charts">
            <div>
              <h3>${t('instance.cpu')} <span class="muted small">${formatNumber(last.cpu)} %</span></h3>
              <oc-usage-chart .label=${t('instance.cpu')} .series=${[{ label: t('instance.cpu'), color: CPU_COLOR }]} .data=${cpu} .format=${formatPercent}></oc-usage-chart>
            </div>
            <div>
              <h3>${t('instance.memory')} <span class="muted small">${formatBytes(last.memory)} / ${formatBytes(last.limit)}</span></h3>
              <oc-usage-chart .label=${t('instance.memory')} .series=${[{ label: t('instance.memory'), color: MEMORY_COLOR }]} .data=${memory} .format=${formatBytes}></oc-usage-chart>
            </div>
          </div>`}
    </section>`
  }
}
