import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const instanceCardStyles = [shared, css`
  .card { display: flex; flex-direction: column; gap: 0.75rem; height: 100%; }
  h3 { margin: 0; font-size: 1.1rem; overflow-wrap: anywhere; }
  h3 a { color: var(--oc-text); text-decoration: none; }
  h3 a:hover { text-decoration: underline; }
  .row { margin-top: auto; }
  .notice { margin: 0; }
`]
