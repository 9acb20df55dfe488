// One instance on the dashboard: name, status, plan, address and, while it runs, what it uses.
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import type { Tenant, Tenants, TenantStats } from '../../data/tenants.js'
import { formatBytes, formatDateTime, formatNumber, t, tKnown } from '../../i18n/locale.js'
import { instanceCardStyles } from './instance-card.styles.js'

export class OcInstanceCard extends OcElement {
  static override styles = instanceCardStyles
  static override properties = { tenant: { attribute: false }, tenants: { attribute: false }, stats: { state: true } }
  declare tenant: Tenant
  declare tenants: Tenants
  declare stats: TenantStats | undefined

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (!changed.has('tenant')) return
    if (this.tenant.status !== 'running') {
      this.stats = undefined
      return
    }
    // Usage is a nicety on the card: without it the card is still complete.
    this.tenants.stats(this.tenant.id).then((stats) => { this.stats = stats }, () => { this.stats = undefined })
  }

  override render (): TemplateResult {
    const tenant = this.tenant
    const stats = this.stats
    return html`<article class="card">
      <div class="spread">
        <h3><a href=${`/instances/${tenant.id}`}>${tenant.slug}</a></h3>
        <oc-status-badge .status=${tenant.status}></oc-status-badge>
      </div>
      <dl class="facts small">
        <dt>${t('instance.plan')}</dt><dd>${tKnown(`plan.${tenant.plan}.name`, tenant.plan)}</dd>
        <dt>${t('instance.url')}</dt><dd class="mono">${tenant.url}</dd>
        <dt>${t('instance.created')}</dt><dd>${formatDateTime(tenant.createdAt)}</dd>
        ${stats === undefined
          ? nothing
          : html`<dt>${t('instance.usage')}</dt><dd>${t('instance.usageValue', { cpu: formatNumber(stats.cpuPercent), memory: formatBytes(stats.memory.usage), limit: formatBytes(stats.memory.limit) })}</dd>`}
      </dl>
      ${tenant.status === 'failed' && tenant.statusReason !== null ? html`<p class="notice error small">${tenant.statusReason}</p>` : nothing}
      <div class="row">
        <a class="button small" href=${`/instances/${tenant.id}`}>${t('dashboard.manage')}</a>
        ${tenant.status === 'running' ? html`<a class="button small primary" href=${tenant.url} target="_blank" rel="noopener">${t('instance.open')}</a>` : nothing}
      </div>
    </article>`
  }
}
