// Set a new password with the single-use token of the reset link (`/reset-password?token=`).
import { html, nothing, type TemplateResult } from 'lit'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { queryParams } from '../../navigation.js'
import { authFormStyles } from '../auth-form.styles.js'
import { OcPage } from '../page.js'
import { MIN_PASSWORD_LENGTH } from '../../data/auth.js'

export class OcResetPasswordPage extends OcPage {
  static override styles = authFormStyles
  static override properties = { busy: { state: true }, error: { state: true }, done: { state: true } }
  declare busy: boolean
  declare error: string
  declare done: boolean

  protected get pageTitle (): string { return t('reset.title') }

  constructor () {
    super()
    this.busy = false
    this.error = ''
    this.done = false
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    const password = String(form.get('password'))
    if (password !== String(form.get('confirm'))) {
      this.error = t('register.mismatch')
      return
    }
    this.busy = true
    this.error = ''
    try {
      await this.services.auth.resetPassword(queryParams().get('token') ?? '', password)
      this.done = true
    } catch (err) {
      this.error = describeError(err)
    } finally {
      this.busy = false
    }
  }

  override render (): TemplateResult {
    const token = queryParams().get('token') ?? ''
    return html`<div class="page narrow">
      <div class="card stack">
        <h1>${t('reset.title')}</h1>
        ${token === ''
          ? html`<p class="notice error" role="alert">${t('reset.noToken')}</p><a href="/forgot-password">${t('reset.askAgain')}</a>`
          : this.done
            ? html`<p class="notice ok" role="status">${t('reset.done')}</p><a class="button primary" href="/sign-in">${t('nav.signIn')}</a>`
            : html`
              ${this.error === '' ? nothing : html`<p class="notice error" role="alert">${this.error}</p>`}
              <form @submit=${this.submit}>
                <div class="field">
                  <label for="password">${t('field.newPassword')}</label>
                  <input id="password" name="password" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH} aria-describedby="password-hint">
                  <span class="hint" id="password-hint">${t('password.hint', { min: MIN_PASSWORD_LENGTH })}</span>
                </div>
                <label>${t('field.confirmPassword')}<input name="confirm" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH}></label>
                <button class="primary" type="submit" ?disabled=${this.busy}>${t('reset.submit')}</button>
              </form>`}
      </div>
    </div>`
  }
}
