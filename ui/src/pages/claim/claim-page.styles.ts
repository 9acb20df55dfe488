import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const claimPageStyles = [shared, css`
  .page.narrow { padding-top: 2rem; }
  h1 { margin: 0; }
  .box { display: flex; align-items: center; gap: 1rem; background: var(--oc-surface-2); border-radius: var(--oc-radius); padding: 1rem; }
  .box-icon { width: 2.5rem; height: 2.5rem; flex: none; color: var(--oc-accent); }
  .box p { margin: 0; }
  .device { font-size: 1.1rem; font-weight: 600; }
  .notice { margin: 0; }
  .card > .button, .card > button { width: 100%; }
`]
