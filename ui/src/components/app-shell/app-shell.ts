// The console: header with navigation, language and account, and the routed page below it.
import { Router } from '@lit-labs/router'
import { html, nothing, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import { isAdmin, type Me } from '../../data/auth.js'
import { createServices } from '../../data/services.js'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { navigate, signInUrl } from '../../navigation.js'
import { appShellStyles } from './app-shell.styles.js'
import { logo } from '../../icons.js'

export class OcApp extends OcElement {
  static override styles = appShellStyles
  static override properties = { user: { state: true }, menuOpen: { state: true }, notice: { state: true } }
  declare user: Me | null | undefined
  declare menuOpen: boolean
  /** A failure outside any page (signing out). */
  declare notice: string

  private readonly services = createServices()
  private lastPath = location.pathname

  /** Pages for signed-in users send visitors to sign in first, and back here afterwards. */
  private readonly signedIn = async (): Promise<boolean> => {
    const user = await this.services.auth.load().catch(() => undefined)
    // A server that cannot be reached: let the page show that in its error state.
    if (user === undefined) return true
    if (user === null) {
      navigate(signInUrl(`${location.pathname}${location.search}`), { replace: true })
      return false
    }
    return true
  }

  private readonly router = new Router(this, [
    { path: '/', render: () => html`<oc-home-page .services=${this.services}></oc-home-page>` },
    { path: '/sign-in', render: () => html`<oc-sign-in-page .services=${this.services}></oc-sign-in-page>` },
    { path: '/register', render: () => html`<oc-register-page .services=${this.services}></oc-register-page>` },
    { path: '/forgot-password', render: () => html`<oc-forgot-password-page .services=${this.services}></oc-forgot-password-page>` },
    { path: '/reset-password', render: () => html`<oc-reset-password-page .services=${this.services}></oc-reset-password-page>` },
    { path: '/verify-email', render: () => html`<oc-verify-email-page .services=${this.services}></oc-verify-email-page>` },
    { path: '/setup', render: () => html`<oc-setup-page .services=${this.services}></oc-setup-page>` },
    { path: '/claim', render: () => html`<oc-claim-page .services=${this.services} .search=${location.search}></oc-claim-page>` },
    { path: '/dashboard', enter: this.signedIn, render: () => html`<oc-dashboard-page .services=${this.services}></oc-dashboard-page>` },
    { path: '/instances/new', enter: this.signedIn, render: () => html`<oc-create-instance-page .services=${this.services}></oc-create-instance-page>` },
    { path: '/instances/:id', enter: this.signedIn, render: ({ id }) => html`<oc-instance-page .services=${this.services} .tenantId=${id ?? ''}></oc-instance-page>` },
    { path: '/devices', enter: this.signedIn, render: () => html`<oc-devices-page .services=${this.services}></oc-devices-page>` },
    { path: '/devices/:id', enter: this.signedIn, render: ({ id }) => html`<oc-device-page .services=${this.services} .deviceId=${id ?? ''}></oc-device-page>` },
    { path: '/account', enter: this.signedIn, render: () => html`<oc-account-page .services=${this.services}></oc-account-page>` },
    { path: '/admin/:tab?', enter: this.signedIn, render: ({ tab }) => html`<oc-admin-page .services=${this.services} .tab=${tab ?? 'users'}></oc-admin-page>` }
  ], { fallback: { render: () => html`<oc-not-found-page .services=${this.services}></oc-not-found-page>` } })

  private unsubscribe: (() => void) | undefined

  constructor () {
    super()
    this.user = undefined
    this.menuOpen = false
    this.notice = ''
  }

  override connectedCallback (): void {
    super.connectedCallback()
    this.unsubscribe = this.services.auth.subscribe((user) => { this.user = user })
    this.services.auth.load().catch(() => { /* each page shows its own error state */ })
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.unsubscribe?.()
  }

  protected override updated (): void {
    if (location.pathname === this.lastPath) return
    this.lastPath = location.pathname
    this.menuOpen = false
    // Keyboard and screen-reader users start at the new page, as after a full page load.
    window.scrollTo(0, 0)
    this.renderRoot.querySelector<HTMLElement>('main')?.focus({ preventScroll: true })
  }

  private async signOut (): Promise<void> {
    try {
      await this.services.auth.signOut()
      this.notice = ''
      navigate('/')
    } catch (err) {
      this.notice = describeError(err)
    }
  }

  private navLink (href: string, label: string): TemplateResult {
    const current = location.pathname === href || location.pathname.startsWith(`${href}/`)
    return html`<a href=${href} aria-current=${current ? 'page' : 'false'}>${label}</a>`
  }

  override render (): TemplateResult {
    const user = this.user
    return html`
      <a class="skip" href="#main" @click=${(event: Event) => { event.preventDefault(); this.renderRoot.querySelector<HTMLElement>('main')?.focus() }}>${t('nav.skip')}</a>
      <header>
        <div class="bar">
          <a class="brand" href=${user ? '/dashboard' : '/'}>${logo}OpenClaw Cloud</a>
          ${user
            ? html`<button class="menu-button small" aria-expanded=${this.menuOpen ? 'true' : 'false'} aria-controls="nav" @click=${() => { this.menuOpen = !this.menuOpen }}>${t('nav.menu')}</button>`
            : nothing}
          <nav id="nav" class=${this.menuOpen ? 'open' : ''} aria-label=${t('nav.label')}>
            ${user
              ? html`${this.navLink('/dashboard', t('nav.dashboard'))}${this.navLink('/devices', t('nav.devices'))}${this.navLink('/account', t('nav.account'))}${isAdmin(user) ? this.navLink('/admin', t('nav.admin')) : nothing}`
              : nothing}
          </nav>
          <div class="tools">
            <oc-locale-picker></oc-locale-picker>
            ${user
              ? html`<span class="who small" title=${user.email}>${user.email}</span><button class="small" @click=${this.signOut}>${t('nav.signOut')}</button>`
              : user === null ? html`<a class="button small primary" href="/sign-in">${t('nav.signIn')}</a>` : nothing}
          </div>
        </div>
      </header>
      ${this.notice === '' ? nothing : html`<p class="notice error" role="alert">${this.notice}</p>`}
      <main id="main" tabindex="-1">${this.router.outlet()}</main>`
  }
}
