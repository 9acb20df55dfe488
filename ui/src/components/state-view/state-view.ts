// One place for the three states every view has besides its content: loading, empty and error.
import { html, nothing, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import { t } from '../../i18n/locale.js'
import { stateViewStyles } from './state-view.styles.js'

export type StateKind = 'loading' | 'empty' | 'error'

/** Fired by the error state's "Try again" button. */
export class RetryEvent extends Event {
  static readonly type = 'oc-retry'
  constructor () { super(RetryEvent.type, { bubbles: true, composed: true }) }
}

export class OcStateView extends OcElement {
  static override styles = stateViewStyles
  static override properties = {
    kind: { reflect: true },
    message: {},
    retry: { type: Boolean }
  }

  declare kind: StateKind
  declare message: string
  /** Offer "Try again" in the error state. */
  declare retry: boolean

  constructor () {
    super()
    this.kind = 'loading'
    this.message = ''
    this.retry = true
  }

  override render (): TemplateResult {
    switch (this.kind) {
      case 'loading':
        return html`<div class="box" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span><span>${this.message || t('state.loading')}</span></div>`
      case 'empty':
        return html`<div class="box empty"><p>${this.message}</p><slot></slot></div>`
      case 'error':
        return html`<div class="box error" role="alert">
          <p><strong>${t('state.errorTitle')}</strong> ${this.message}</p>
          ${this.retry ? html`<button class="small" @click=${() => this.dispatchEvent(new RetryEvent())}>${t('state.retry')}</button>` : nothing}
          <slot></slot>
        </div>`
    }
  }
}
