// One box: its state, telemetry of the last hour, and commands with their results.
import { Task } from '@lit/task'
import { html, nothing, type TemplateResult } from 'lit'
import type uPlot from 'uplot'
import type { OcConfirmDialog } from '../../components/confirm-dialog/confirm-dialog.js'
import { ApiError } from '../../data/http.js'
import { OWNER_COMMANDS, type DeviceCommand, type TelemetrySeries } from '../../data/devices.js'
import { describeError, isUnavailable } from '../../i18n/errors.js'
import { formatBytes, formatDateTime, formatNumber, formatPercent, t, tKnown } from '../../i18n/locale.js'
import { deviceUnavailableView } from '../devices/devices-page.js'
import { OcPage } from '../page.js'
import { taskView } from '../task-view.js'
import { devicePageStyles } from './device-page.styles.js'

const HOUR_MS = 3600_000
const CPU_COLOR = '#2563eb'
const MEMORY_COLOR = '#c2410c'

export class OcDevicePage extends OcPage {
  static override styles = devicePageStyles
  static override properties = { deviceId: {}, commandError: { state: true } }
  declare deviceId: string
  declare commandError: string

  private readonly device = new Task(this, { task: ([id]) => this.services.devices.get(id), args: () => [this.deviceId] as const })
  private readonly telemetry = new Task(this, { task: ([id]) => this.services.devices.telemetry(id, HOUR_MS), args: () => [this.deviceId] as const })
  private readonly commands = new Task(this, { task: ([id]) => this.services.devices.commands(id), args: () => [this.deviceId] as const })

  protected get pageTitle (): string { return this.deviceId }

  constructor () {
    super()
    this.deviceId = ''
    this.commandError = ''
  }

  private async send (name: typeof OWNER_COMMANDS[number]): Promise<void> {
    const dialog = this.renderRoot.querySelector<OcConfirmDialog>('oc-confirm-dialog')!
    const label = tKnown(`command.${name}`, name)
    const { confirmed } = await dialog.ask({ title: t('device.confirmCommand', { command: label }), message: t('device.confirmCommandBody'), confirmLabel: label })
    if (!confirmed) return
    this.commandError = ''
    try {
      await this.services.devices.sendCommand(this.deviceId, name)
      void this.commands.run()
    } catch (err) {
      this.commandError = describeError(err)
    }
  }

  override render (): TemplateResult {
    return html`<div class="page stack">
      <p class="crumbs small"><a href="/devices">${t('nav.devices')}</a> / <span class="mono">${this.deviceId}</span></p>
      ${taskView(this.device, (device) => html`
        <div class="spread">
          <h1 class="mono">${device.id}</h1>
          <oc-status-badge .status=${device.online ? 'online' : 'offline'}></oc-status-badge>
        </div>
        <section class="card">
          <dl class="facts">
            <dt>${t('devices.model')}</dt><dd>${device.model}</dd>
            <dt>${t('devices.state')}</dt><dd>${tKnown(`status.${device.state}`, device.state)}</dd>
            <dt>${t('devices.lastSeen')}</dt><dd>${formatDateTime(device.lastSeenAt)}</dd>
            <dt>${t('devices.firmware')}</dt><dd>${device.firmwareVersion ?? '—'}</dd>
            <dt>${t('devices.gateway')}</dt><dd>${device.gatewayVersion ?? '—'}</dd>
            ${device.url == null ? '' : html`<dt>${t('devices.address')}</dt><dd><a href=${device.url} target="_blank" rel="noopener">${device.url}</a></dd>`}
          </dl>
        </section>
        <section class="card stack" aria-labelledby="telemetry-heading">
          <h2 id="telemetry-heading">${t('device.telemetry')}</h2>
          ${taskView(this.telemetry, (series) => this.renderTelemetry(series), {
            isEmpty: (series) => series.points.length === 0,
            emptyView: () => html`<oc-state-view kind="empty" .message=${t('device.noTelemetry')}></oc-state-view>`
          })}
        </section>
        <section class="card stack" aria-labelledby="commands-heading">
          <h2 id="commands-heading">${t('device.commands')}</h2>
          <div class="row">${OWNER_COMMANDS.map((name) => html`<button ?disabled=${!device.online} @click=${() => this.send(name)}>${tKnown(`command.${name}`, name)}</button>`)}</div>
          ${device.online ? nothing : html`<p class="muted small">${t('device.offlineCommands')}</p>`}
          ${this.commandError === '' ? nothing : html`<p class="notice error" role="alert">${this.commandError}</p>`}
          ${taskView(this.commands, (commands: DeviceCommand[]) => html`<div class="table-wrap"><table>
            <thead><tr><th>${t('device.command')}</th><th>${t('admin.state')}</th><th>${t('device.sent')}</th><th>${t('device.result')}</th></tr></thead>
            <tbody>${commands.map((command) => html`<tr>
              <td>${tKnown(`command.${command.name}`, command.name)}</td>
              <td><oc-status-badge .status=${command.state}></oc-status-badge></td>
              <td>${formatDateTime(command.createdAt)}</td>
              <td>${command.message ?? '—'}</td>
            </tr>`)}</tbody>
          </table></div>`, { isEmpty: (commands) => commands.length === 0, emptyView: () => html`<p class="muted">${t('device.noCommands')}</p>` })}
        </section>
        <oc-confirm-dialog></oc-confirm-dialog>`, {
        errorView: (err) => isUnavailable(err)
          ? deviceUnavailableView()
          : err instanceof ApiError && err.status === 404
            ? html`<oc-state-view kind="error" .retry=${false} .message=${t('device.notFound')}><a href="/devices">${t('nav.devices')}</a></oc-state-view>`
            : undefined
      })}
    </div>`
  }

  private renderTelemetry (series: TelemetrySeries): TemplateResult {
    const times = series.points.map((point) => Date.parse(point.ts) / 1000)
    const cpu: uPlot.AlignedData = [times, series.points.map((point) => point.cpuPercent)]
    const memory: uPlot.AlignedData = [times, series.points.map((point) => point.memoryUsedBytes)]
    const last = series.points.at(-1)!
    return html`<div class="charts">
      <div>
        <h3>${t('instance.cpu')} <span class="muted small">${formatNumber(last.cpuPercent)} %</span></h3>
        <oc-usage-chart .label=${t('instance.cpu')} .series=${[{ label: t('instance.cpu'), color: CPU_COLOR }]} .data=${cpu} .format=${formatPercent}></oc-usage-chart>
      </div>
      <div>
        <h3>${t('instance.memory')} <span class="muted small">${formatBytes(last.memoryUsedBytes)} / ${formatBytes(last.memoryTotalBytes)}</span></h3>
        <oc-usage-chart .label=${t('instance.memory')} .series=${[{ label: t('instance.memory'), color: MEMORY_COLOR }]} .data=${memory} .format=${formatBytes}></oc-usage-chart>
      </div>
    </div>
    <p class="muted small">${last.temperatureC === null ? nothing : t('device.temperature', { value: formatNumber(last.temperatureC) })}</p>`
  }
}
