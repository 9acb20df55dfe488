// Administration: users and their roles, workers with capacity and drain, server plugins, audit log.
import { Task } from '@lit/task'
import { html, nothing, type TemplateResult } from 'lit'
import { ROLES, type AuditEvent, type PluginInfo, type Worker } from '../../data/admin.js'
import { isAdmin, type User } from '../../data/auth.js'
import { describeError, isUnavailable } from '../../i18n/errors.js'
import { formatBytes, formatDateTime, formatNumber, t, tKnown } from '../../i18n/locale.js'
import type { MessageKey } from '../../i18n/messages/en.js'
import { OcPage } from '../page.js'
import { taskView } from '../task-view.js'
import { adminPageStyles } from './admin-page.styles.js'

const TABS = ['users', 'workers', 'plugins', 'audit'] as const
type Tab = typeof TABS[number]
const PAGE_SIZE = 50

export class OcAdminPage extends OcPage {
  static override styles = adminPageStyles
  static override properties = {
    tab: {},
    emailFilter: { state: true },
    offset: { state: true },
    auditType: { state: true },
    actionError: { state: true },
    saved: { state: true }
  }

  declare tab: Tab
  declare emailFilter: string
  declare offset: number
  declare auditType: string
  declare actionError: string
  /** Id of the user whose roles were just saved. */
  declare saved: string

  private readonly users = new Task(this, {
    task: ([tab, email, offset]) => tab === 'users' ? this.services.admin.users({ email, offset, limit: PAGE_SIZE }) : Promise.resolve(undefined),
    args: () => [this.tab, this.emailFilter, this.offset] as const
  })

  private readonly workers = new Task(this, {
    task: ([tab]) => tab === 'workers' ? this.services.admin.workers() : Promise.resolve(undefined),
    args: () => [this.tab] as const
  })

  private readonly plugins = new Task(this, {
    task: ([tab]) => tab === 'plugins' ? this.services.admin.plugins() : Promise.resolve(undefined),
    args: () => [this.tab] as const
  })

  private readonly audit = new Task(this, {
    task: ([tab, type]) => tab === 'audit' ? this.services.admin.audit({ type, limit: 200 }) : Promise.resolve(undefined),
    args: () => [this.tab, this.auditType] as const
  })

  protected get pageTitle (): string { return t('admin.title') }

  constructor () {
    super()
    this.tab = 'users'
    this.emailFilter = ''
    this.offset = 0
    this.auditType = ''
    this.actionError = ''
    this.saved = ''
  }

  override render (): TemplateResult {
    if (!isAdmin(this.services.auth.user)) {
      return html`<div class="page stack"><h1>${t('admin.title')}</h1><oc-state-view kind="error" .retry=${false} .message=${t('admin.notAdmin')}></oc-state-view></div>`
    }
    const tab: Tab = TABS.includes(this.tab) ? this.tab : 'users'
    return html`<div class="page stack">
      <h1>${t('admin.title')}</h1>
      <nav class="tabs" aria-label=${t('admin.sections')}>
        ${TABS.map((name) => html`<a href=${`/admin/${name}`} aria-current=${name === tab ? 'page' : 'false'}>${t(`admin.tab.${name}` as MessageKey)}</a>`)}
      </nav>
      ${this.actionError === '' ? nothing : html`<p class="notice error" role="alert">${this.actionError}</p>`}
      ${tab === 'users' ? this.renderUsers() : tab === 'workers' ? this.renderWorkers() : tab === 'plugins' ? this.renderPlugins() : this.renderAudit()}
    </div>`
  }

  private async saveRoles (user: User, row: HTMLElement): Promise<void> {
    const roles = [...row.querySelectorAll<HTMLInputElement>('input[name="role"]:checked')].map((input) => input.value)
    this.actionError = ''
    this.saved = ''
    if (roles.length === 0) {
      this.actionError = t('admin.needsRole')
      return
    }
    try {
      await this.services.admin.setRoles(user.id, roles)
      this.saved = user.id
      void this.users.run()
    } catch (err) {
      this.actionError = describeError(err)
    }
  }

  private renderUsers (): TemplateResult {
    return html`<section class="stack" aria-label=${t('admin.tab.users')}>
      <form class="search" role="search" @submit=${(event: SubmitEvent) => { event.preventDefault(); this.offset = 0; this.emailFilter = String(new FormData(event.target as HTMLFormElement).get('email')) }}>
        <input name="email" type="search" aria-label=${t('admin.searchEmail')} placeholder=${t('admin.searchEmail')} .value=${this.emailFilter}>
        <button type="submit">${t('action.search')}</button>
      </form>
      ${taskView(this.users, (answer) => {
        const { users, total } = answer!
        return html`<div class="table-wrap"><table>
          <thead><tr><th>${t('field.email')}</th><th>${t('account.roles')}</th><th>${t('admin.verified')}</th><th>${t('account.since')}</th><th><span class="visually-hidden">${t('account.actions')}</span></th></tr></thead>
          <tbody>${users.map((user) => html`<tr>
            <td>${user.email}</td>
            <td><div class="roles" role="group" aria-label=${t('admin.rolesOf', { email: user.email })}>
              ${ROLES.map((role) => html`<label class="inline small"><input type="checkbox" name="role" value=${role} ?checked=${user.roles.includes(role)}>${tKnown(`role.${role}`, role)}</label>`)}
            </div></td>
            <td><oc-status-badge .status=${user.emailVerified ? 'verified' : 'unverified'}></oc-status-badge></td>
            <td>${formatDateTime(user.createdAt)}</td>
            <td><button class="small" @click=${(event: Event) => this.saveRoles(user, (event.target as HTMLElement).closest('tr')!)}>${this.saved === user.id ? t('admin.saved') : t('action.save')}</button></td>
          </tr>`)}</tbody>
        </table></div>
        <div class="spread small">
          <span class="muted">${t('admin.usersShown', { from: total === 0 ? 0 : this.offset + 1, to: this.offset + users.length, total })}</span>
          <span class="row">
            <button class="small" ?disabled=${this.offset === 0} @click=${() => { this.offset = Math.max(0, this.offset - PAGE_SIZE) }}>${t('action.previous')}</button>
            <button class="small" ?disabled=${this.offset + users.length >= total} @click=${() => { this.offset += PAGE_SIZE }}>${t('action.next')}</button>
          </span>
        </div>`
      }, { isEmpty: (answer) => answer!.users.length === 0, emptyView: () => html`<oc-state-view kind="empty" .message=${t('admin.noUsers')}></oc-state-view>` })}
    </section>`
  }

  private async setWorkerState (worker: Worker, state: 'drain' | 'activate'): Promise<void> {
    this.actionError = ''
    try {
      await this.services.admin.setWorkerState(worker.id, state)
      void this.workers.run()
    } catch (err) {
      this.actionError = describeError(err)
    }
  }

  private renderWorkers (): TemplateResult {
    return html`<section class="stack" aria-label=${t('admin.tab.workers')}>
      ${taskView(this.workers, (workers) => html`<div class="table-wrap"><table>
        <thead><tr><th>${t('admin.worker')}</th><th>${t('admin.endpoint')}</th><th>${t('admin.state')}</th><th>${t('admin.capacity')}</th><th>${t('admin.heartbeat')}</th><th><span class="visually-hidden">${t('account.actions')}</span></th></tr></thead>
        <tbody>${workers!.map((worker) => html`<tr>
          <td><strong>${worker.name}</strong><br><span class="muted small">${worker.kind}</span>
            ${Object.entries(worker.labels).map(([key, value]) => html` <code class="label">${key}=${value}</code>`)}</td>
          <td class="mono small">${worker.endpoint || '—'}</td>
          <td><oc-status-badge .status=${worker.state}></oc-status-badge></td>
          <td>${t('admin.capacityValue', { memory: formatBytes(worker.capacity.memory), cpus: formatNumber(worker.capacity.cpu) })}</td>
          <td>${formatDateTime(worker.lastHeartbeatAt)}</td>
          <td>${worker.state === 'draining'
            ? html`<button class="small" @click=${() => this.setWorkerState(worker, 'activate')}>${t('admin.activate')}</button>`
            : html`<button class="small" @click=${() => this.setWorkerState(worker, 'drain')}>${t('admin.drain')}</button>`}</td>
        </tr>`)}</tbody>
      </table></div>`, {
        isEmpty: (workers) => workers!.length === 0,
        emptyView: () => html`<oc-state-view kind="empty" .message=${t('admin.noWorkers')}></oc-state-view>`,
        errorView: (err) => isUnavailable(err) ? html`<oc-state-view kind="empty" .message=${t('admin.workersUnavailable')}></oc-state-view>` : undefined
      })}
    </section>`
  }

  private renderPlugins (): TemplateResult {
    return html`<section class="stack" aria-label=${t('admin.tab.plugins')}>
      <p class="muted">${t('admin.pluginsLead')}</p>
      ${taskView(this.plugins, (answer) => {
        const enabled = new Set(answer!.enabled.map((plugin: PluginInfo) => plugin.name))
        return html`<div class="table-wrap"><table>
          <thead><tr><th>${t('admin.plugin')}</th><th>${t('admin.state')}</th><th>${t('admin.description')}</th><th>${t('admin.dependencies')}</th></tr></thead>
          <tbody>${answer!.installed.map((plugin) => html`<tr>
            <td class="mono">${plugin.name}</td>
            <td><oc-status-badge .status=${enabled.has(plugin.name) ? 'enabled' : 'disabled'}></oc-status-badge></td>
            <td>${plugin.description}</td>
            <td class="mono small">${plugin.dependencies.join(', ') || '—'}</td>
          </tr>`)}</tbody>
        </table></div>`
      })}
    </section>`
  }

  private renderAudit (): TemplateResult {
    return html`<section class="stack" aria-label=${t('admin.tab.audit')}>
      <form class="search" role="search" @submit=${(event: SubmitEvent) => { event.preventDefault(); this.auditType = String(new FormData(event.target as HTMLFormElement).get('type')).trim() }}>
        <input name="type" aria-label=${t('admin.auditType')} placeholder=${t('admin.auditType')} .value=${this.auditType}>
        <button type="submit">${t('action.filter')}</button>
      </form>
      ${taskView(this.audit, (events) => html`<div class="table-wrap"><table>
        <thead><tr><th>${t('admin.when')}</th><th>${t('admin.event')}</th><th>${t('admin.user')}</th><th>${t('account.address')}</th><th>${t('admin.details')}</th></tr></thead>
        <tbody>${events!.map((event: AuditEvent) => html`<tr>
          <td>${formatDateTime(event.at)}</td>
          <td class="mono">${event.type}</td>
          <td class="mono small">${event.userId ?? '—'}${event.actorId !== null && event.actorId !== event.userId ? html`<br><span class="muted">${t('admin.by', { id: event.actorId })}</span>` : nothing}</td>
          <td class="mono small">${event.ip ?? '—'}</td>
          <td class="mono small">${event.details === null ? '—' : JSON.stringify(event.details)}</td>
        </tr>`)}</tbody>
      </table></div>`, { isEmpty: (events) => events!.length === 0, emptyView: () => html`<oc-state-view kind="empty" .message=${t('admin.noEvents')}></oc-state-view>` })}
    </section>`
  }
}
