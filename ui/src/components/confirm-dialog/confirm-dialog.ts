// A modal question before anything destructive. Built on <dialog>: focus moves into it, Escape
// cancels, and focus returns to where it was.
import { html, nothing, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import { t } from '../../i18n/locale.js'
import { confirmDialogStyles } from './confirm-dialog.styles.js'

export interface ConfirmOptions {
  title: string
  message: string
  confirmLabel: string
  danger?: boolean
  /** An extra checkbox (e.g. "also delete the data"); its value comes back in the answer. */
  option?: string
}

export interface ConfirmAnswer {
  confirmed: boolean
  option: boolean
}

export class OcConfirmDialog extends OcElement {
  static override styles = confirmDialogStyles
  static override properties = { options: { state: true } }
  declare options: ConfirmOptions | undefined
  private resolve: ((answer: ConfirmAnswer) => void) | undefined

  /** Shows the question; resolves when the user confirms or cancels. */
  async ask (options: ConfirmOptions): Promise<ConfirmAnswer> {
    this.resolve?.({ confirmed: false, option: false })
    this.options = options
    await this.updateComplete
    const dialog = this.renderRoot.querySelector('dialog')!
    const checkbox = this.renderRoot.querySelector<HTMLInputElement>('input[type="checkbox"]')
    if (checkbox !== null) checkbox.checked = false
    dialog.showModal()
    return await new Promise((resolve) => { this.resolve = resolve })
  }

  private finish (confirmed: boolean): void {
    const option = this.renderRoot.querySelector<HTMLInputElement>('input[type="checkbox"]')?.checked ?? false
    this.renderRoot.querySelector('dialog')?.close()
    this.resolve?.({ confirmed, option: confirmed && option })
    this.resolve = undefined
  }

  override render (): TemplateResult {
    const options = this.options
    return html`<dialog aria-labelledby="title" @cancel=${() => { this.finish(false) }}>
      ${options === undefined
        ? nothing
        : html`<h2 id="title">${options.title}</h2>
          <p>${options.message}</p>
          ${options.option === undefined ? nothing : html`<label class="inline"><input type="checkbox">${options.option}</label>`}
          <div class="actions">
            <button autofocus @click=${() => { this.finish(false) }}>${t('action.cancel')}</button>
            <button class=${options.danger === true ? 'danger solid' : 'primary'} @click=${() => { this.finish(true) }}>${options.confirmLabel}</button>
          </div>`}
    </dialog>`
  }
}
