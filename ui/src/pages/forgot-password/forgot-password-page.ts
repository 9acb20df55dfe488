// Ask for a password reset link. The answer is the same whether or not the email has an account.
import { html, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { MailAnswer } from '../../data/auth.js'
import { t } from '../../i18n/locale.js'
import { OcFormPage } from '../form-page.js'

export class OcForgotPasswordPage extends OcFormPage {
  static override properties: PropertyDeclarations = { answer: { state: true } }
  declare answer: MailAnswer | undefined

  protected get pageTitle (): string { return t('forgot.title') }

  constructor () {
    super()
    this.answer = undefined
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const email = String(new FormData(event.target as HTMLFormElement).get('email'))
    await this.submitting(async () => { this.answer = await this.services.auth.forgotPassword(email) })
  }

  override render (): TemplateResult {
    return html`<div class="page narrow">
      <div class="card stack">
        <h1>${t('forgot.title')}</h1>
        ${this.answer === undefined
          ? html`
            <p class="muted">${t('forgot.lead')}</p>
            ${this.errorNotice()}
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
