// Set a new password with the single-use token of the reset link (`/reset-password?token=`).
import { html, type PropertyDeclarations, type TemplateResult } from 'lit'
import { t } from '../../i18n/locale.js'
import { queryParams } from '../../navigation.js'
import { OcFormPage } from '../form-page.js'

export class OcResetPasswordPage extends OcFormPage {
  static override properties: PropertyDeclarations = { done: { state: true } }
  declare done: boolean

  protected get pageTitle (): string { return t('reset.title') }

  constructor () {
    super()
    this.done = false
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const password = this.confirmedPassword(new FormData(event.target as HTMLFormElement))
    if (password === undefined) return
    await this.submitting(async () => {
      await this.services.auth.resetPassword(queryParams().get('token') ?? '', password)
      this.done = true
    })
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
              ${this.errorNotice()}
              <form @submit=${this.submit}>
                ${this.newPasswordFields(t('field.newPassword'))}
                <button class="primary" type="submit" ?disabled=${this.busy}>${t('reset.submit')}</button>
              </form>`}
      </div>
    </div>`
  }
}
