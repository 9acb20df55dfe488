// Confirms an email address with the token of the mailed link (`/verify-email?token=`).
import { html, type TemplateResult } from 'lit'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { queryParams } from '../../navigation.js'
import { authFormStyles } from '../auth-form.styles.js'
import { OcPage } from '../page.js'

type Outcome = { kind: 'working' } | { kind: 'done', email: string } | { kind: 'failed', message: string }

export class OcVerifyEmailPage extends OcPage {
  static override styles = authFormStyles
  static override properties = { outcome: { state: true } }
  declare outcome: Outcome

  protected get pageTitle (): string { return t('verify.title') }

  constructor () {
    super()
    this.outcome = { kind: 'working' }
  }

  override connectedCallback (): void {
    super.connectedCallback()
    void this.verify()
  }

  private async verify (): Promise<void> {
    const token = queryParams().get('token') ?? ''
    if (token === '') {
      this.outcome = { kind: 'failed', message: t('verify.noToken') }
      return
    }
    try {
      this.outcome = { kind: 'done', email: (await this.services.auth.verifyEmail(token)).email }
    } catch (err) {
      this.outcome = { kind: 'failed', message: describeError(err) }
    }
  }

  override render (): TemplateResult {
    const outcome = this.outcome
    return html`<div class="page narrow"><div class="card stack">
      <h1>${t('verify.title')}</h1>
      ${outcome.kind === 'working'
        ? html`<oc-state-view kind="loading"></oc-state-view>`
        : outcome.kind === 'done'
          ? html`<p class="notice ok" role="status">${t('verify.done', { email: outcome.email })}</p><a class="button primary" href="/dashboard">${t('home.toDashboard')}</a>`
          : html`<p class="notice error" role="alert">${outcome.message}</p>`}
    </div></div>`
  }
}
