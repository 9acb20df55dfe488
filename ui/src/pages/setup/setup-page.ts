// First-admin setup of a fresh install, opened from the link the server logs (`/setup?token=`).
import { html, nothing, type TemplateResult } from 'lit'
import { MIN_PASSWORD_LENGTH } from '../../data/auth.js'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { queryParams } from '../../navigation.js'
import { authFormStyles } from '../auth-form.styles.js'
import { OcPage } from '../page.js'

type Phase = 'checking' | 'form' | 'closed' | 'done' | 'unreachable'

export class OcSetupPage extends OcPage {
  static override styles = authFormStyles
  static override properties = { phase: { state: true }, busy: { state: true }, error: { state: true } }
  declare phase: Phase
  declare busy: boolean
  declare error: string

  protected get pageTitle (): string { return t('setup.title') }

  constructor () {
    super()
    this.phase = 'checking'
    this.busy = false
    this.error = ''
  }

  override connectedCallback (): void {
    super.connectedCallback()
    void this.check()
  }

  private async check (): Promise<void> {
    this.phase = 'checking'
    try {
      this.phase = await this.services.auth.setupNeeded() ? 'form' : 'closed'
    } catch (err) {
      this.error = describeError(err)
      this.phase = 'unreachable'
    }
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    if (String(form.get('password')) !== String(form.get('confirm'))) {
      this.error = t('register.mismatch')
      return
    }
    this.busy = true
    this.error = ''
    try {
      await this.services.auth.createFirstAdmin(queryParams().get('token') ?? '', String(form.get('email')), String(form.get('password')))
      this.phase = 'done'
    } catch (err) {
      this.error = describeError(err)
    } finally {
      this.busy = false
    }
  }

  override render (): TemplateResult {
    const token = queryParams().get('token') ?? ''
    return html`<div class="page narrow"><div class="card stack">
      <h1>${t('setup.title')}</h1>
      ${this.body(token)}
    </div></div>`
  }

  private body (token: string): TemplateResult {
    switch (this.phase) {
      case 'checking': return html`<oc-state-view kind="loading"></oc-state-view>`
      case 'unreachable': return html`<oc-state-view kind="error" .message=${this.error} @oc-retry=${this.check}></oc-state-view>`
      case 'closed': return html`<p class="notice info">${t('setup.closed')}</p><a class="button primary" href="/sign-in">${t('nav.signIn')}</a>`
      case 'done': return html`<p class="notice ok" role="status">${t('setup.done')}</p><a class="button primary" href="/sign-in">${t('nav.signIn')}</a>`
      case 'form':
        if (token === '') return html`<p class="notice error" role="alert">${t('setup.noToken')}</p>`
        return html`
          <p class="muted">${t('setup.lead')}</p>
          ${this.error === '' ? nothing : html`<p class="notice error" role="alert">${this.error}</p>`}
          <form @submit=${this.submit}>
            <label>${t('field.email')}<input name="email" type="email" autocomplete="email" required></label>
            <div class="field">
              <label for="password">${t('field.password')}</label>
              <input id="password" name="password" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH} aria-describedby="password-hint">
              <span class="hint" id="password-hint">${t('password.hint', { min: MIN_PASSWORD_LENGTH })}</span>
            </div>
            <label>${t('field.confirmPassword')}<input name="confirm" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH}></label>
            <button class="primary" type="submit" ?disabled=${this.busy}>${t('setup.submit')}</button>
          </form>`
    }
  }
}
