import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const logTailStyles = [shared, css`
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; margin-bottom: 0.5rem; }
  .search { flex: 1 1 12rem; width: auto; min-height: 2rem; padding: 0.2rem 0.6rem; }
  .status { color: var(--oc-muted); }
  .lines { height: 22rem; overflow: auto; background: #0d1117; color: #d1d7e0; border-radius: 8px; padding: 0.6rem 0.75rem; font-family: var(--oc-mono); font-size: 0.8rem; line-height: 1.45; }
  .line { white-space: pre-wrap; overflow-wrap: anywhere; }
  .empty { color: #8b949e; margin: 0; }
  @media (max-width: 600px) { .lines { height: 16rem; } }
`]
