// First-admin setup of a fresh install, opened from the link the server logs (`/setup?token=`).
import { html, type PropertyDeclarations, type TemplateResult } from 'lit'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { queryParams } from '../../navigation.js'
import { OcFormPage } from '../form-page.js'

type Phase = 'checking' | 'form' | 'closed' | 'done' | 'unreachable'

export class OcSetupPage extends OcFormPage {
  static override properties: PropertyDeclarations = { phase: { state: true } }
  declare phase: Phase

  protected get pageTitle (): string { return t('setup.title') }

  constructor () {
    super()
    this.phase = 'checking'
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
    const password = this.confirmedPassword(form)
    if (password === undefined) return
    await this.submitting(async () => {
      await this.services.auth.createFirstAdmin(queryParams().get('token') ?? '', String(form.get('email')), password)
      this.phase = 'done'
    })
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
          ${this.errorNotice()}
          <form @submit=${this.submit}>
            <label>${t('field.email')}<input name="email" type="email" autocomplete="email" required></label>
            ${this.newPasswordFields(t('field.password'))}
            <button class="primary" type="submit" ?disabled=${this.busy}>${t('setup.submit')}</button>
          </form>`
    }
  }
}
