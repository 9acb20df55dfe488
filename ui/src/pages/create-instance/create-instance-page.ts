// Create an instance: a name and a plan, then the live progress from the events stream until it is
// routable, ending in its address and an "Open" button.
import { Task } from '@lit/task'
import { html, nothing, type TemplateResult } from 'lit'
import type { Plan, PlanPrice, ProgressEvent, Tenant } from '../../data/tenants.js'
import { describeError } from '../../i18n/errors.js'
import { formatBytes, formatDuration, formatNumber, formatPrice, t, tKnown } from '../../i18n/locale.js'
import { OcPage } from '../page.js'
import { taskView } from '../task-view.js'
import { createInstancePageStyles } from './create-instance-page.styles.js'

/** The server's rule for names (plugins/tenants/service.ts): a DNS label of 3-63 characters. */
const NAME_PATTERN = '[a-z0-9][a-z0-9\\-]{1,61}[a-z0-9]'

type Outcome = 'watching' | 'ready' | 'failed' | 'lost'

export class OcCreateInstancePage extends OcPage {
  static override styles = createInstancePageStyles
  static override properties = {
    busy: { state: true },
    error: { state: true },
    tenant: { state: true },
    events: { state: true },
    outcome: { state: true }
  }

  declare busy: boolean
  declare error: string
  declare tenant: Tenant | undefined
  declare events: ProgressEvent[]
  declare outcome: Outcome

  private stopWatching: (() => void) | undefined

  private readonly plans = new Task(this, {
    task: async () => await this.services.tenants.plans(),
    args: () => []
  })

  protected get pageTitle (): string { return t('create.title') }

  constructor () {
    super()
    this.busy = false
    this.error = ''
    this.tenant = undefined
    this.events = []
    this.outcome = 'watching'
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.stopWatching?.()
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    const name = String(form.get('name') ?? '').trim()
    this.busy = true
    this.error = ''
    try {
      this.tenant = await this.services.tenants.create({ plan: String(form.get('plan')), ...(name === '' ? {} : { name }) })
      this.watch(this.tenant.id)
    } catch (err) {
      this.error = describeError(err)
    } finally {
      this.busy = false
    }
  }

  private watch (id: string): void {
    this.events = []
    this.outcome = 'watching'
    this.stopWatching = this.services.tenants.watchProgress(id, {
      onEvent: (event) => {
        this.events = [...this.events, event]
        if (event.type === 'routable') void this.finish(id)
        else if (event.type === 'failed' || event.type === 'deleted' || event.type === 'stopped') this.outcome = 'failed'
      },
      onError: () => { this.outcome = 'lost' }
    })
  }

  /** The stream says it is routable; the instance's own record says where. */
  private async finish (id: string): Promise<void> {
    try {
      this.tenant = await this.services.tenants.get(id)
    } catch {
      // The address from the create answer stays right; the status shown is the stream's.
    }
    this.outcome = 'ready'
  }

  override render (): TemplateResult {
    return html`<div class="page stack">
      <h1>${t('create.title')}</h1>
      ${this.tenant === undefined ? this.renderForm() : this.renderProgress(this.tenant)}
    </div>`
  }

  private renderForm (): TemplateResult {
    return html`<form class="card" @submit=${this.submit}>
      ${this.error === '' ? nothing : html`<p class="notice error" role="alert">${this.error}</p>`}
      <div class="field">
        <label for="name">${t('create.name')}</label>
        <input id="name" name="name" autocomplete="off" spellcheck="false" pattern=${NAME_PATTERN} maxlength="63" aria-describedby="name-hint" placeholder="my-assistant">
        <span class="hint" id="name-hint">${t('create.nameHint')}</span>
      </div>
      <fieldset>
        <legend>${t('create.plan')}</legend>
        ${taskView(this.plans, (plans) => html`<div class="plans">${plans.map((plan, index) => this.renderPlan(plan, index === 0))}</div>`)}
      </fieldset>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t('create.busy') : t('create.submit')}</button>
        <a class="button" href="/dashboard">${t('action.cancel')}</a>
      </div>
    </form>`
  }

  private renderPlan (plan: Plan, first: boolean): TemplateResult {
    return html`<label class="plan">
      <input type="radio" name="plan" value=${plan.name} ?checked=${first} required>
      <span class="plan-body">
        <strong>${tKnown(`plan.${plan.name}.name`, plan.name)}</strong>
        ${plan.price === null ? nothing : html`<span class="price">${this.priceText(plan.price)}</span>`}
        <span class="small muted">${t('create.planMemory', { memory: formatBytes(plan.memory) })}</span>
        <span class="small muted">${t('create.planCpu', { cpus: formatNumber(plan.cpus) })}</span>
        <span class="small muted">${plan.maxInstances === 1 ? t('create.planInstance') : t('create.planInstances', { count: plan.maxInstances })}</span>
        <span class="small muted">${plan.idleTimeout === 0 ? t('create.planAlwaysOn') : t('create.planIdle', { duration: formatDuration(plan.idleTimeout) })}</span>
      </span>
    </label>`
  }

  private priceText ({ amount, currency, period }: PlanPrice): string {
    const price = formatPrice(amount, currency)
    return period === 'month' ? t('create.planPerMonth', { price }) : t('create.planPerYear', { price })
  }

  private renderProgress (tenant: Tenant): TemplateResult {
    return html`<section class="card stack" aria-labelledby="progress-heading">
      <div class="spread">
        <h2 id="progress-heading">${t('create.progressTitle', { name: tenant.slug })}</h2>
        ${this.outcome === 'ready' ? html`<oc-status-badge status="running"></oc-status-badge>` : nothing}
      </div>
      <oc-progress-steps .events=${this.events}></oc-progress-steps>
      ${this.outcome === 'lost' ? html`<p class="notice error" role="alert">${t('create.lost')}</p>` : nothing}
      ${this.outcome === 'ready'
        ? html`<div class="ready" role="status">
            <p>${t('create.ready')}</p>
            <p class="url mono"><a href=${tenant.url} target="_blank" rel="noopener">${tenant.url}</a></p>
          </div>
          <div class="row">
            <a class="button primary open" href=${tenant.url} target="_blank" rel="noopener">${t('instance.open')}</a>
            <a class="button" href=${`/instances/${tenant.id}`}>${t('create.toInstance')}</a>
          </div>`
        : html`<div class="row"><a class="button" href=${`/instances/${tenant.id}`}>${t('create.toInstance')}</a></div>`}
    </section>`
  }
}
