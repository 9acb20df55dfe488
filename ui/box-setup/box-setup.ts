// The box setup page as a Lit element: choose a Wi-Fi network (strength and security shown), enter
// its password, follow the join, stay in setup with a clear error on a wrong password, then show how
// to claim the box: the device-flow QR and user code when the box has one, else its label claim URL.
// It takes over from the server-rendered page (kept as the no-script fallback in its light DOM).
import { html, LitElement, nothing, type TemplateResult } from 'lit'
import QRCode from 'qrcode'
import { fetchNetworks, fetchStatus, joinWifi, type SetupStatus, type WifiNetwork } from './api.js'
import { boxSetupStyles } from './box-setup.styles.js'
import { t } from './messages.js'

const POLL_MS = 2000

const bars = (percent: number): string => '▂▄▆█'.slice(0, Math.max(1, Math.ceil(percent / 25)))

export class BoxSetup extends LitElement {
  static override styles = boxSetupStyles
  static override properties = {
    status: { state: true },
    networks: { state: true },
    qr: { state: true },
    busy: { state: true },
    failure: { state: true }
  }

  declare status: SetupStatus | undefined
  declare networks: WifiNetwork[] | undefined
  /** Data URL of the QR code for `qrTarget`. */
  declare qr: string | undefined
  declare busy: boolean
  declare failure: string | undefined

  private qrTarget: string | undefined
  private timer: ReturnType<typeof setInterval> | undefined

  constructor () {
    super()
    this.status = undefined
    this.networks = undefined
    this.qr = undefined
    this.busy = false
    this.failure = undefined
  }

  override connectedCallback (): void {
    super.connectedCallback()
    // The server-rendered fallback inside the element is for browsers without scripts; here it would
    // only be a stale hidden copy (its form fields and alerts) next to this page.
    this.replaceChildren()
    void this.poll()
    void this.searchNetworks()
    this.timer = setInterval(() => { void this.poll() }, POLL_MS)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    clearInterval(this.timer)
  }

  private async poll (): Promise<void> {
    try {
      this.status = await fetchStatus()
      this.failure = undefined
      await this.updateQr(this.status)
    } catch {
      this.failure = t('unreachable')
    }
  }

  private async searchNetworks (): Promise<void> {
    this.networks = undefined
    this.networks = await fetchNetworks().catch(() => [])
  }

  private async updateQr (status: SetupStatus): Promise<void> {
    const target = status.state === 'online-unclaimed' ? status.deviceFlow?.verificationUriComplete ?? status.claimUrl : undefined
    if (target === this.qrTarget) return
    this.qrTarget = target
    this.qr = target === undefined ? undefined : await QRCode.toDataURL(target, { margin: 2, scale: 8 })
  }

  private async submit (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    this.busy = true
    try {
      await joinWifi(String(form.get('ssid') ?? ''), String(form.get('password') ?? ''))
      await this.poll()
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err)
    } finally {
      this.busy = false
    }
  }

  override render (): TemplateResult {
    const status = this.status
    if (status === undefined) return html`<h1>${t('title')}</h1>${this.failure === undefined ? html`<p>${t('loading')}</p>` : this.alert(this.failure)}`
    const error = status.lastError ?? this.failure
    switch (status.state) {
      case 'no-credentials': return this.page(t('unprovisionedTitle'), html`${this.alert(error)}<p>${t('unprovisioned')}</p>`)
      case 'setup': return this.page(t('title'), html`${this.alert(error)}${this.renderNetworks()}`)
      case 'joining-wifi': return this.page(t('joining', { ssid: status.joining ?? '' }), html`<p class="muted">${t('joiningHint')}</p>`)
      case 'online-unclaimed': return this.page(t('onlineTitle'), this.renderClaim(status))
      case 'claimed': return this.page(t('claimedTitle'), html`<p>${t('claimedBy', { owner: status.owner ?? '' })}</p>
        ${status.instanceUrl === undefined ? nothing : html`<p><a href=${status.instanceUrl}>${t('openInstance')}</a></p>`}`)
      case 'offline': return this.page(t('offlineTitle'), html`${this.alert(error)}<p>${t('offline')}</p>`)
      case 'factory-reset': return this.page(t('resetTitle'), html`<p>${t('reset')}</p>`)
    }
  }

  private page (title: string, body: unknown): TemplateResult {
    return html`<h1>${title}</h1>${body}`
  }

  private alert (message: string | undefined): unknown {
    return message === undefined ? nothing : html`<p class="error" role="alert">${message}</p>`
  }

  private renderNetworks (): unknown {
    const networks = this.networks
    if (networks === undefined) return html`<p>${t('loading')}</p>`
    const again = html`<button type="button" @click=${() => { void this.searchNetworks() }}>${t('searchAgain')}</button>`
    if (networks.length === 0) return html`<p>${t('noNetworks')}</p>${again}`
    return html`<form @submit=${this.submit}>
      <fieldset>
        <legend>${t('chooseWifi')}</legend>
        ${networks.map((network, index) => html`<label>
          <input type="radio" name="ssid" value=${network.ssid} ?checked=${index === 0}>
          ${network.ssid}
          <span class="signal" title="${network.signalPercent}%">${bars(network.signalPercent)} ${network.signalPercent}% · ${network.security === 'open' ? t('open') : network.security}</span>
        </label>`)}
      </fieldset>
      <label>${t('password')} <input type="password" name="password" autocomplete="current-password"></label>
      <button type="submit" ?disabled=${this.busy}>${t('connect')}</button>
      ${again}
    </form>`
  }

  private renderClaim (status: SetupStatus): TemplateResult {
    const flow = status.deviceFlow ?? undefined
    const link = flow?.verificationUriComplete ?? status.claimUrl
    return html`
      <p>${flow === undefined ? t('claimByLabel') : t('claimByDeviceFlow', { uri: flow.verificationUri })}</p>
      ${flow === undefined ? nothing : html`<p class="code" aria-label="code">${flow.userCode}</p>`}
      ${this.qr === undefined ? nothing : html`<img class="qr" src=${this.qr} alt=${link ?? ''}>`}
      ${link === undefined ? nothing : html`<p><a href=${link}>${link}</a></p>`}
      <p>${t('box')}: <code>${status.deviceId ?? ''}</code></p>`
  }
}
