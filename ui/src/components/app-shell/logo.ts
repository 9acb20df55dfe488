// The mark beside the name: a claw in a rounded square, drawn inline so it needs no font or request.
import { html } from 'lit'

export const logo = html`<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <rect width="32" height="32" rx="8" fill="var(--oc-accent)"></rect>
  <path d="M9 22c0-6 3-11 8-12 -2 2-3 4-3 7l4-1c0-3 1-6 4-7 -1 2-1 4 0 6 1 4-2 8-7 8-3 0-6-1-6-1z" fill="var(--oc-accent-text)"></path>
</svg>`
