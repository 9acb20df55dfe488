import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const instancePageStyles = [shared, css`
  h1 { margin: 0; overflow-wrap: anywhere; }
  h2 { margin-bottom: 0.75rem; }
  h3 { font-size: 0.95rem; }
  .crumbs { margin: 0; color: var(--oc-muted); }
  .url { font-size: 1.05rem; margin: 0; }
  .actions { border-top: 1px solid var(--oc-border); padding-top: 1rem; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 1rem; }
  .spread h2 { margin: 0; }
`]
