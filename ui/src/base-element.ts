// The base of every console element: re-renders when the language changes.
import { LitElement } from 'lit'
import { LocaleController } from './i18n/locale.js'

export class OcElement extends LitElement {
  constructor () {
    super()
    new LocaleController(this)
  }
}
