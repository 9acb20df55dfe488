// Sign in with a local account, or with a provider the server offers (`/api/auth/providers`).
import { html, nothing, type TemplateResult } from 'lit'
import { providerHref, type Provider } from '../../data/auth.js'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { followReturnTo, isConsolePath, navigate, queryParams } from '../../navigation.js'
import { OcPage } from '../page.js'
import { externalError } from './external-error.js'
import { authFormStyles } from '../auth-form.styles.js'

export class OcSignInPage extends OcPage {
  static override styles = authFormStyles
  static override properties = {
    busy: { state: true },
    error: { state: true },
    providers: { state: true },
    setupNeeded: { state: true }
  }

  declare busy: boolean
  declare error: string
  declare providers: Provider[]
  declare setupNeeded: boolean

  protected get pageTitle (): string { return t('signIn.title') }

  constructor () {
    super()
    this.busy = false
    this.error = externalError(queryParams())
    this.providers = []
    this.setupNeeded = false
  }

  override connectedCallback (): void {
    super.connectedCallback()
    // Both are extras around the form: when they fail the form still works, so they stay quiet.
    this.services.auth.providers().then((providers) => { this.providers = providers }, () => undefined)
    this.services.auth.setupNeeded().then((needed) => { this.setupNeeded = needed }, () => undefined)
    void this.services.auth.load().then((user) => { if (user != null) this.proceed('') }, () => undefined)
  }

  private get returnTo (): string {
    return queryParams().get('returnTo') ?? ''
  }

  /** Goes on to where the visitor was headed: a console path directly, anything else as the server allows. */
  private proceed (answer: string): void {
    if (isConsolePath(this.returnTo)) navigate(this.returnTo, { replace: true })
    else followReturnTo(answer, '/dashboard')
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    this.busy = true
    this.error = ''
    try {
      const returnTo = this.returnTo === '' || isConsolePath(this.returnTo) ? undefined : this.returnTo
      const answer = await this.services.auth.signIn(String(form.get('email')), String(form.get('password')), returnTo)
      this.proceed(answer.returnTo)
    } catch (err) {
      this.error = describeError(err)
    } finally {
      this.busy = false
    }
  }

  override render (): TemplateResult {
    const returnQuery = this.returnTo === '' ? '' : `?returnTo=${encodeURIComponent(this.returnTo)}`
    return html`<div class="page narrow">
      <div class="card stack">
        <h1>${t('signIn.title')}</h1>
        ${this.setupNeeded ? html`<p class="notice info">${t('signIn.setupNeeded')}</p>` : nothing}
        ${this.error === '' ? nothing : html`<p class="notice error" role="alert">${this.error}</p>`}
        <form @submit=${this.submit}>
          <label>${t('field.email')}<input name="email" type="email" autocomplete="username" required .value=${queryParams().get('email') ?? ''}></label>
          <label>${t('field.password')}<input name="password" type="password" autocomplete="current-password" required></label>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t('signIn.busy') : t('signIn.submit')}</button>
        </form>
        ${this.providers.length === 0
          ? nothing
          : html`<div class="providers" aria-label=${t('signIn.providers')}>
              <p class="muted small">${t('signIn.providers')}</p>
              ${this.providers.map((provider) => html`<a class="button" href=${providerHref(provider, { returnTo: this.returnTo })} rel="external">${t('signIn.with', { provider: provider.name })}</a>`)}
            </div>`}
        <p class="links small">
          <a href="/forgot-password">${t('signIn.forgot')}</a>
          <span>${t('signIn.noAccount')} <a href=${`/register${returnQuery}`}>${t('signIn.register')}</a></span>
        </p>
      </div>
    </div>`
  }
}
