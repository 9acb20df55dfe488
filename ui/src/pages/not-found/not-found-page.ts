// Any path the console does not know.
import { html, type TemplateResult } from 'lit'
import { shared } from '../../styles/shared.js'
import { t } from '../../i18n/locale.js'
import { OcPage } from '../page.js'

export class OcNotFoundPage extends OcPage {
  static override styles = shared
  protected get pageTitle (): string { return t('notFound.title') }

  override render (): TemplateResult {
    return html`<div class="page stack">
      <h1>${t('notFound.title')}</h1>
      <p class="muted">${t('notFound.body')}</p>
      <p><a class="button primary" href="/">${t('notFound.home')}</a></p>
    </div>`
  }
}
