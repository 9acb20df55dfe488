import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const dashboardPageStyles = [shared, css`
  h1, h2 { margin: 0; }
  .welcome { font-size: 1.1rem; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
  .profile p.muted { margin: 0.25rem 0 0; }
  .profile .notice { margin: 0.75rem 0 0; }
`]
