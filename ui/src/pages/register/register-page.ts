// Create a local account. The server answers the same whether or not the email is taken.
import { html, nothing, type TemplateResult } from 'lit'
import { MIN_PASSWORD_LENGTH, type MailAnswer } from '../../data/auth.js'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { queryParams } from '../../navigation.js'
import { authFormStyles } from '../auth-form.styles.js'
import { OcPage } from '../page.js'

export class OcRegisterPage extends OcPage {
  static override styles = authFormStyles
  static override properties = { busy: { state: true }, error: { state: true }, done: { state: true } }
  declare busy: boolean
  declare error: string
  declare done: { email: string, answer: MailAnswer } | undefined

  protected get pageTitle (): string { return t('register.title') }

  constructor () {
    super()
    this.busy = false
    this.error = ''
    this.done = undefined
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    const email = String(form.get('email'))
    const password = String(form.get('password'))
    if (password !== String(form.get('confirm'))) {
      this.error = t('register.mismatch')
      return
    }
    this.busy = true
    this.error = ''
    try {
      this.done = { email, answer: await this.services.auth.register(email, password) }
    } catch (err) {
      this.error = describeError(err)
    } finally {
      this.busy = false
    }
  }

  override render (): TemplateResult {
    const returnTo = queryParams().get('returnTo')
    if (this.done !== undefined) {
      const signIn = `/sign-in?email=${encodeURIComponent(this.done.email)}${returnTo === null ? '' : `&returnTo=${encodeURIComponent(returnTo)}`}`
      return html`<div class="page narrow"><div class="card stack">
        <h1>${t('register.doneTitle')}</h1>
        <p class="notice ok" role="status">${this.done.answer.mail === 'sent' ? t('register.doneMailed', { email: this.done.email }) : t('register.doneNoMail')}</p>
        <a class="button primary" href=${signIn}>${t('register.continue')}</a>
      </div></div>`
    }
    return html`<div class="page narrow">
      <div class="card stack">
        <h1>${t('register.title')}</h1>
        ${this.error === '' ? nothing : html`<p class="notice error" role="alert">${this.error}</p>`}
        <form @submit=${this.submit}>
          <label>${t('field.email')}<input name="email" type="email" autocomplete="email" required></label>
          <div class="field">
            <label for="password">${t('field.password')}</label>
            <input id="password" name="password" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH} aria-describedby="password-hint">
            <span class="hint" id="password-hint">${t('password.hint', { min: MIN_PASSWORD_LENGTH })}</span>
          </div>
          <label>${t('field.confirmPassword')}<input name="confirm" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH}></label>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t('register.busy') : t('register.submit')}</button>
        </form>
        <p class="links small"><span>${t('register.haveAccount')} <a href=${returnTo === null ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>${t('nav.signIn')}</a></span></p>
      </div>
    </div>`
  }
}
