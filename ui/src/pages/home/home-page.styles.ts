import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const homePageStyles = [shared, css`
  .hero { padding: 2.5rem 0 2rem; max-width: 44rem; }
  .hero h1 { font-size: clamp(1.7rem, 4vw, 2.5rem); }
  .lead { font-size: 1.15rem; color: var(--oc-muted); margin-bottom: 1.5rem; }
`]
