// Switches the console's language; the choice is remembered for the next visit.
import { html, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import { locale, LOCALE_NAMES, LOCALES, setLocale, t, type Locale } from '../../i18n/locale.js'
import { localePickerStyles } from './locale-picker.styles.js'

export class OcLocalePicker extends OcElement {
  static override styles = localePickerStyles

  override render (): TemplateResult {
    return html`<select aria-label=${t('locale.label')} @change=${(event: Event) => { setLocale((event.target as HTMLSelectElement).value as Locale) }}>
      ${LOCALES.map((code) => html`<option value=${code} lang=${code} ?selected=${code === locale()}>${LOCALE_NAMES[code]}</option>`)}
    </select>`
  }
}
