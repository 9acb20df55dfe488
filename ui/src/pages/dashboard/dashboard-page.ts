// Home of a signed-in user: who they are, their instances with live status, and "Create instance".
import { Task } from '@lit/task'
import { html, nothing, type TemplateResult } from 'lit'
import type { Tenant, TenantStatus } from '../../data/tenants.js'
import { describeError } from '../../i18n/errors.js'
import { formatDateTime, formatList, t, tKnown } from '../../i18n/locale.js'
import { OcPage } from '../page.js'
import { taskView } from '../task-view.js'
import { dashboardPageStyles } from './dashboard-page.styles.js'

/** While an instance is on its way somewhere, the list is fetched again this often. */
const REFRESH_MS = 4000
const SETTLED: ReadonlySet<TenantStatus> = new Set(['running', 'stopped', 'failed', 'deleted'])

export class OcDashboardPage extends OcPage {
  static override styles = dashboardPageStyles
  static override properties = { notice: { state: true } }
  declare notice: string

  private readonly instances = new Task(this, {
    // Deleting an instance takes it off the list at once, though Docker may take a moment to catch up.
    task: async () => (await this.services.tenants.list()).filter((tenant) => tenant.desired !== 'deleted'),
    args: () => []
  })

  private timer: ReturnType<typeof setInterval> | undefined

  protected get pageTitle (): string { return t('dashboard.title') }

  constructor () {
    super()
    this.notice = ''
  }

  override connectedCallback (): void {
    super.connectedCallback()
    this.timer = setInterval(() => {
      const busy = this.instances.value?.some((tenant) => !SETTLED.has(tenant.status)) ?? false
      if (busy) void this.instances.run()
    }, REFRESH_MS)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    clearInterval(this.timer)
  }

  private async resendVerification (): Promise<void> {
    try {
      const answer = await this.services.auth.resendVerification()
      this.notice = answer.mail === 'sent' ? t('dashboard.verificationSent') : t('register.doneNoMail')
    } catch (err) {
      this.notice = describeError(err)
    }
  }

  override render (): TemplateResult {
    const user = this.services.auth.user
    return html`<div class="page stack">
      <h1>${t('dashboard.title')}</h1>
      ${user == null
        ? nothing
        : html`<section class="card profile" aria-label=${t('dashboard.profile')}>
            <div class="spread">
              <div>
                <p class="welcome">${t('dashboard.welcome', { email: user.email })}</p>
                <p class="muted small">${t('dashboard.memberSince', { date: formatDateTime(user.createdAt) })} · ${formatList(user.roles.map((role) => tKnown(`role.${role}`, role)))}</p>
              </div>
              ${user.emailVerified
                ? html`<oc-status-badge status="verified"></oc-status-badge>`
                : html`<div class="row"><oc-status-badge status="unverified"></oc-status-badge>
                    <button class="small" @click=${this.resendVerification}>${t('dashboard.resend')}</button></div>`}
            </div>
            ${this.notice === '' ? nothing : html`<p class="notice info" role="status">${this.notice}</p>`}
          </section>`}
      <section class="stack" aria-labelledby="instances-heading">
        <div class="spread">
          <h2 id="instances-heading">${t('dashboard.instances')}</h2>
          <a class="button primary" href="/instances/new">${t('dashboard.create')}</a>
        </div>
        ${taskView(this.instances, (tenants: Tenant[]) => html`<div class="grid">
            ${tenants.map((tenant) => html`<oc-instance-card .tenant=${tenant} .tenants=${this.services.tenants}></oc-instance-card>`)}
          </div>`, {
          isEmpty: (tenants) => tenants.length === 0,
          emptyView: () => html`<oc-state-view kind="empty" .message=${t('dashboard.empty')}>
              <a class="button primary" href="/instances/new">${t('dashboard.create')}</a>
            </oc-state-view>`
        })}
      </section>
    </div>`
  }
}
