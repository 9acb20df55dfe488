import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const accountPageStyles = [shared, css`
  h1, h2 { margin: 0; }
  .card h2, .card h3 { margin-bottom: 0.75rem; }
  form { max-width: 28rem; }
  form.card { max-width: none; }
  fieldset { border: 1px solid var(--oc-border); border-radius: 8px; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
  legend { font-weight: 600; padding: 0 0.25rem; }
  .token { background: var(--oc-surface); color: var(--oc-text); padding: 0.3rem 0.5rem; border-radius: 6px; }
  .notice p { margin: 0 0 0.4rem; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`]
