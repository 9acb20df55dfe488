// The front door: what OpenClaw Cloud is, and the way in.
import { html, type TemplateResult } from 'lit'
import { t } from '../../i18n/locale.js'
import { OcPage } from '../page.js'
import { homePageStyles } from './home-page.styles.js'

export class OcHomePage extends OcPage {
  static override styles = homePageStyles
  protected get pageTitle (): string { return t('home.title') }

  override connectedCallback (): void {
    super.connectedCallback()
    // The call-to-action depends on whether someone is signed in.
    void this.services.auth.load().then(() => { this.requestUpdate() }, () => undefined)
  }

  override render (): TemplateResult {
    const signedIn = this.services.auth.user != null
    return html`<div class="page">
      <section class="hero">
        <h1>${t('home.headline')}</h1>
        <p class="lead">${t('home.lead')}</p>
        <div class="row">
          ${signedIn
            ? html`<a class="button primary" href="/dashboard">${t('home.toDashboard')}</a>`
            : html`<a class="button primary" href="/sign-in">${t('nav.signIn')}</a><a class="button" href="/register">${t('home.register')}</a>`}
        </div>
      </section>
      <section class="grid" aria-label=${t('home.featuresLabel')}>
        <article class="card"><h2>${t('home.cloud.title')}</h2><p class="muted">${t('home.cloud.body')}</p></article>
        <article class="card"><h2>${t('home.box.title')}</h2><p class="muted">${t('home.box.body')}</p></article>
        <article class="card"><h2>${t('home.sso.title')}</h2><p class="muted">${t('home.sso.body')}</p></article>
      </section>
    </div>`
  }
}
