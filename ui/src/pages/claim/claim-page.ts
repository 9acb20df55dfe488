// Claiming a box: the target of the QR code on its label (`/claim?device=<id>&code=<code>`,
// protocol/claim-code.ts), usually opened on a phone. Shows the box, asks the visitor to sign in,
// then to approve. Without a link's parameters it asks for the id and code printed on the label.
import { html, nothing, type TemplateResult } from 'lit'
import type { Device } from '../../data/devices.js'
import { describeError, isUnavailable } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { navigate, signInUrl } from '../../navigation.js'
import { boxIcon } from '../../icons.js'
import { OcPage } from '../page.js'
import { claimPageStyles } from './claim-page.styles.js'

type Phase = 'checking' | 'ready' | 'claiming' | 'claimed' | 'failed' | 'unavailable'

export class OcClaimPage extends OcPage {
  static override styles = claimPageStyles
  static override properties = { search: {}, phase: { state: true }, error: { state: true }, claimed: { state: true } }
  /** The page's query string; the router passes it so a new link re-renders the page. */
  declare search: string
  declare phase: Phase
  declare error: string
  declare claimed: Device | undefined

  protected get pageTitle (): string { return t('claim.title') }

  constructor () {
    super()
    this.search = ''
    this.phase = 'checking'
    this.error = ''
    this.claimed = undefined
  }

  override connectedCallback (): void {
    super.connectedCallback()
    void this.services.auth.load().then(() => { this.phase = 'ready' }, (err: unknown) => { this.error = describeError(err); this.phase = 'failed' })
  }

  private get link (): { device: string, code: string } {
    const params = new URLSearchParams(this.search)
    return { device: (params.get('device') ?? '').trim(), code: (params.get('code') ?? '').trim() }
  }

  private async claim (): Promise<void> {
    const { device, code } = this.link
    this.phase = 'claiming'
    this.error = ''
    try {
      this.claimed = await this.services.devices.claim(device, code)
      this.phase = 'claimed'
    } catch (err) {
      this.error = describeError(err)
      this.phase = isUnavailable(err) ? 'unavailable' : 'failed'
    }
  }

  private enterCode (event: SubmitEvent): void {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    const query = new URLSearchParams({ device: String(form.get('device')).trim(), code: String(form.get('code')).trim() })
    this.phase = 'ready'
    navigate(`/claim?${query.toString()}`)
  }

  override render (): TemplateResult {
    return html`<div class="page narrow"><div class="card stack">
      <h1>${t('claim.title')}</h1>
      ${this.body()}
    </div></div>`
  }

  private body (): TemplateResult {
    const { device, code } = this.link
    const user = this.services.auth.user
    if (this.phase === 'checking') return html`<oc-state-view kind="loading"></oc-state-view>`
    if (this.phase === 'unavailable') return html`<oc-state-view kind="error" .retry=${false} .message=${t('claim.unavailable')}></oc-state-view>`
    if (this.phase === 'claimed') {
      return html`<p class="notice ok" role="status">${t('claim.done', { device: this.claimed?.id ?? device })}</p>
        <a class="button primary" href=${`/devices/${encodeURIComponent(this.claimed?.id ?? device)}`}>${t('claim.toDevice')}</a>`
    }
    if (device === '' || code === '') return this.codeForm(device)
    return html`
      <div class="box" aria-label=${t('claim.theBox')}>
        ${boxIcon}
        <div>
          <p class="muted small">${t('claim.theBox')}</p>
          <p class="mono device">${device}</p>
        </div>
      </div>
      ${this.phase === 'failed' ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${user == null
        ? html`<p>${t('claim.signInFirst')}</p>
          <a class="button primary" href=${signInUrl()}>${t('nav.signIn')}</a>
          <a class="button" href=${`/register?returnTo=${encodeURIComponent(`/claim${this.search}`)}`}>${t('home.register')}</a>`
        : html`<p>${t('claim.approve', { email: user.email })}</p>
          <button class="primary" ?disabled=${this.phase === 'claiming'} @click=${this.claim}>${this.phase === 'claiming' ? t('claim.busy') : t('claim.submit')}</button>
          <a class="button" href="/devices">${t('action.cancel')}</a>`}`
  }

  private codeForm (device: string): TemplateResult {
    return html`<p class="muted">${t('claim.enterLead')}</p>
      <form @submit=${this.enterCode}>
        <label>${t('claim.deviceId')}<input name="device" required autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="ocb_…" .value=${device}></label>
        <label>${t('claim.code')}<input name="code" required autocomplete="off" autocapitalize="characters" spellcheck="false"></label>
        <button class="primary" type="submit">${t('action.continue')}</button>
      </form>`
  }
}
