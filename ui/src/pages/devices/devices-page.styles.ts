import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const devicesPageStyles = [shared, css`
  h1 { margin: 0; }
  h2 { margin: 0; font-size: 1rem; overflow-wrap: anywhere; }
  .card { display: flex; flex-direction: column; gap: 0.75rem; }
  .muted { margin: 0; }
`]
