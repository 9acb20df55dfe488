// The steps of bringing an instance up (plugins/tenants/events.ts), as they arrive on the stream.
import { html, nothing, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import { formatTime, t } from '../../i18n/locale.js'
import type { MessageKey } from '../../i18n/messages/en.js'
import { PROGRESS_STEPS, type ProgressEvent } from '../../data/tenants.js'
import { progressStepsStyles } from './progress-steps.styles.js'

export class OcProgressSteps extends OcElement {
  static override styles = progressStepsStyles
  static override properties = { events: { attribute: false } }
  declare events: ProgressEvent[]

  constructor () {
    super()
    this.events = []
  }

  override render (): TemplateResult {
    const seen = new Map(this.events.map((event) => [event.type, event]))
    const failure = this.events.find((event) => event.type === 'failed')
    const next = PROGRESS_STEPS.find((step) => !seen.has(step))
    return html`<ol aria-live="polite">
      ${PROGRESS_STEPS.map((step) => {
        const event = seen.get(step)
        const state = event !== undefined ? 'done' : step === next ? (failure !== undefined ? 'failed' : 'active') : 'waiting'
        return html`<li class=${state} data-step=${step}>
          <span class="marker" aria-hidden="true">${state === 'done' ? '✓' : state === 'failed' ? '✕' : ''}</span>
          <span class="label">${t(`progress.${step}` as MessageKey)}</span>
          ${event === undefined ? nothing : html`<time class="muted small" datetime=${event.at}>${formatTime(event.at)}</time>`}
          <span class="visually-hidden">${t(`progress.state.${state}` as MessageKey)}</span>
        </li>`
      })}
    </ol>
    ${failure === undefined ? nothing : html`<p class="notice error" role="alert">${t('progress.failed', { reason: failure.reason ?? '—' })}</p>`}`
  }
}
