// The base of the pages that are one form (register, forgot/reset password, first-admin setup): the
// busy and error states every such form has, and the new-password fields they share.
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { MIN_PASSWORD_LENGTH } from '../data/auth.js'
import { describeError } from '../i18n/errors.js'
import { t } from '../i18n/locale.js'
import { authFormStyles } from './auth-form.styles.js'
import { OcPage } from './page.js'

export abstract class OcFormPage extends OcPage {
  static override styles = authFormStyles
  static override properties: PropertyDeclarations = { busy: { state: true }, error: { state: true } }
  declare busy: boolean
  declare error: string

  constructor () {
    super()
    this.busy = false
    this.error = ''
  }

  /** Runs a submission: busy while it runs, and its failure becomes the error notice. */
  protected async submitting (action: () => Promise<void>): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      await action()
    } catch (err) {
      this.error = describeError(err)
    } finally {
      this.busy = false
    }
  }

  /** The new password of a form with `newPasswordFields`, or undefined (and the error shown) when the confirmation differs. */
  protected confirmedPassword (form: FormData): string | undefined {
    const password = String(form.get('password'))
    if (password === String(form.get('confirm'))) return password
    this.error = t('register.mismatch')
    return undefined
  }

  protected errorNotice (): TemplateResult | typeof nothing {
    return this.error === '' ? nothing : html`<p class="notice error" role="alert">${this.error}</p>`
  }

  protected newPasswordFields (label: string): TemplateResult {
    return html`<div class="field">
        <label for="password">${label}</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH} aria-describedby="password-hint">
        <span class="hint" id="password-hint">${t('password.hint', { min: MIN_PASSWORD_LENGTH })}</span>
      </div>
      <label>${t('field.confirmPassword')}<input name="confirm" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH}></label>`
  }
}
