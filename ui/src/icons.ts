// Inline pictures, so they need no font (emoji are missing on many systems) and no request.
import { html } from 'lit'

/** The mark beside the name: a claw in a rounded square. */
export const logo = html`<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <rect width="32" height="32" rx="8" fill="var(--oc-accent)"></rect>
  <path d="M9 22c0-6 3-11 8-12 -2 2-3 4-3 7l4-1c0-3 1-6 4-7 -1 2-1 4 0 6 1 4-2 8-7 8-3 0-6-1-6-1z" fill="var(--oc-accent-text)"></path>
</svg>`

/** An OpenClaw Box: a small cube. */
export const boxIcon = html`<svg class="box-icon" viewBox="0 0 32 32" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round">
  <path d="M16 3 28 9v14L16 29 4 23V9z"></path>
  <path d="M4 9l12 6 12-6M16 15v14"></path>
</svg>`
