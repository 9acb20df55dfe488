// A coloured, labelled status: instances (observed status), boxes (online/offline), workers, commands.
import { html, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import { tKnown } from '../../i18n/locale.js'
import { statusBadgeStyles } from './status-badge.styles.js'

export type BadgeTone = 'ok' | 'busy' | 'warn' | 'danger' | 'neutral'

const TONES: Record<string, BadgeTone> = {
  running: 'ok', online: 'ok', active: 'ok', succeeded: 'ok', claimed: 'ok',
  scheduled: 'busy', creating: 'busy', starting: 'busy', deleting: 'busy', pending: 'busy', delivered: 'busy',
  unreachable: 'warn', draining: 'warn', expired: 'warn', registered: 'neutral',
  failed: 'danger', revoked: 'danger', offline: 'neutral', stopped: 'neutral', deleted: 'neutral',
  verified: 'ok', unverified: 'warn', current: 'busy', enabled: 'ok', disabled: 'neutral'
}

export class OcStatusBadge extends OcElement {
  static override styles = statusBadgeStyles
  static override properties = { status: {} }
  declare status: string

  constructor () {
    super()
    this.status = ''
  }

  override render (): TemplateResult {
    const tone = TONES[this.status] ?? 'neutral'
    return html`<span class="badge ${tone}" part="badge"><span class="dot" aria-hidden="true"></span>${tKnown(`status.${this.status}`, this.status)}</span>`
  }
}
