// Create a local account. The server answers the same whether or not the email is taken.
import { html, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { MailAnswer } from '../../data/auth.js'
import { t } from '../../i18n/locale.js'
import { queryParams } from '../../navigation.js'
import { OcFormPage } from '../form-page.js'

export class OcRegisterPage extends OcFormPage {
  static override properties: PropertyDeclarations = { done: { state: true } }
  declare done: { email: string, answer: MailAnswer } | undefined

  protected get pageTitle (): string { return t('register.title') }

  constructor () {
    super()
    this.done = undefined
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    const email = String(form.get('email'))
    const password = this.confirmedPassword(form)
    if (password === undefined) return
    await this.submitting(async () => { this.done = { email, answer: await this.services.auth.register(email, password) } })
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
        ${this.errorNotice()}
        <form @submit=${this.submit}>
          <label>${t('field.email')}<input name="email" type="email" autocomplete="email" required></label>
          ${this.newPasswordFields(t('field.password'))}
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t('register.busy') : t('register.submit')}</button>
        </form>
        <p class="links small"><span>${t('register.haveAccount')} <a href=${returnTo === null ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>${t('nav.signIn')}</a></span></p>
      </div>
    </div>`
  }
}
