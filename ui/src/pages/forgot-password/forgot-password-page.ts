// Ask for a password reset link. The answer is the same whether or not the email has an account.
import { html, nothing, type TemplateResult } from 'lit'
import type { MailAnswer } from '../../data/auth.js'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { authFormStyles } from '../auth-form.styles.js'
import { OcPage } from '../page.js'

export class OcForgotPasswordPage extends OcPage {
  static override styles = authFormStyles
  static override properties = { busy: { state: true }, error: { state: true }, answer: { state: true } }
  declare busy: boolean
  declare error: string
  declare answer: MailAnswer | undefined

  protected get pageTitle (): string { return t('forgot.title') }

  constructor () {
    super()
    this.busy = false
    this.error = ''
    this.answer = undefined
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const email = String(new FormData(event.target as HTMLFormElement).get('email'))
    this.busy = true
    this.error = ''
    try {
      this.answer = await this.services.auth.forgotPassword(email)
    } catch (err) {
      this.error = describeError(err)
    } finally {
      this.busy = false
    }
  }

  override render (): TemplateResult {
    return html`<div class="page narrow">
      <div class="card stack">
        <h1>${t('forgot.title')}</h1>
        ${this.answer === undefined
          ? html`
            <p class="muted">${t('forgot.lead')}</p>
            ${this.error === '' ? nothing : html`<p class="notice error" role="alert">${this.error}</p>`}
            <form @submit=${this.submit}>
              <label>${t('field.email')}<input name="email" type="email" autocomplete="email" required></label>
              <button class="primary" type="submit" ?disabled=${this.busy}>${t('forgot.submit')}</button>
            </form>`
          : html`<p class="notice ok" role="status">${this.answer.mail === 'sent' ? t('forgot.sent') : t('forgot.noMail')}</p>`}
        <p class="links small"><a href="/sign-in">${t('forgot.back')}</a></p>
      </div>
    </div>`
  }
}
