// The base of every page: the services it reaches the server through, and its document title.
import type { PropertyDeclarations, PropertyValues } from 'lit'
import { OcElement } from '../base-element.js'
import type { Services } from '../data/services.js'

export abstract class OcPage extends OcElement {
  // Subclasses declare only their own properties; Lit inherits this one.
  static override properties: PropertyDeclarations = { services: { attribute: false } }
  declare services: Services

  /** The page's name in the browser tab. */
  protected abstract get pageTitle (): string

  protected override updated (changed: PropertyValues<this>): void {
    super.updated(changed)
    document.title = `${this.pageTitle} · OpenClaw Cloud`
  }
}
