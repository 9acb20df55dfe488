// The signed-in user's OpenClaw Boxes, online or not, and how to add one.
import { Task } from '@lit/task'
import { html, type TemplateResult } from 'lit'
import type { Device } from '../../data/devices.js'
import { isUnavailable } from '../../i18n/errors.js'
import { formatDateTime, t } from '../../i18n/locale.js'
import { OcPage } from '../page.js'
import { taskView } from '../task-view.js'
import { devicesPageStyles } from './devices-page.styles.js'

export const deviceUnavailableView = (): TemplateResult =>
  html`<oc-state-view kind="error" .retry=${false} .message=${t('devices.unavailable')}></oc-state-view>`

export class OcDevicesPage extends OcPage {
  static override styles = devicesPageStyles
  private readonly devices = new Task(this, { task: () => this.services.devices.list(), args: () => [] })

  protected get pageTitle (): string { return t('devices.title') }

  override render (): TemplateResult {
    return html`<div class="page stack">
      <div class="spread">
        <h1>${t('devices.title')}</h1>
        <a class="button" href="/claim">${t('devices.claimByCode')}</a>
      </div>
      <p class="muted">${t('devices.lead')}</p>
      ${taskView(this.devices, (devices: Device[]) => html`<div class="grid">
        ${devices.map((device) => html`<article class="card">
          <div class="spread">
            <h2><a href=${`/devices/${device.id}`} class="mono">${device.id}</a></h2>
            <oc-status-badge .status=${device.online ? 'online' : 'offline'}></oc-status-badge>
          </div>
          <dl class="facts small">
            <dt>${t('devices.model')}</dt><dd>${device.model}</dd>
            <dt>${t('devices.lastSeen')}</dt><dd>${formatDateTime(device.lastSeenAt)}</dd>
            <dt>${t('devices.firmware')}</dt><dd>${device.firmwareVersion ?? '—'}</dd>
            ${device.url == null ? '' : html`<dt>${t('devices.address')}</dt><dd><a href=${device.url} target="_blank" rel="noopener">${device.url}</a></dd>`}
          </dl>
        </article>`)}
      </div>`, {
        isEmpty: (devices) => devices.length === 0,
        emptyView: () => html`<oc-state-view kind="empty" .message=${t('devices.empty')}><a class="button" href="/claim">${t('devices.claimByCode')}</a></oc-state-view>`,
        errorView: (err) => isUnavailable(err) ? deviceUnavailableView() : undefined
      })}
    </div>`
  }
}
