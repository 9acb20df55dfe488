import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const devicePageStyles = [shared, css`
  h1 { margin: 0; overflow-wrap: anywhere; }
  h2 { margin: 0; }
  h3 { font-size: 0.95rem; }
  .crumbs { margin: 0; color: var(--oc-muted); }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 1rem; }
`]
