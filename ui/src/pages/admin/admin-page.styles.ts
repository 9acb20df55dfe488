import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const adminPageStyles = [shared, css`
  h1 { margin: 0; }
  .tabs { display: flex; gap: 0.25rem; border-bottom: 1px solid var(--oc-border); overflow-x: auto; }
  .tabs a { padding: 0.55rem 0.9rem; color: var(--oc-muted); text-decoration: none; font-weight: 600; border-bottom: 3px solid transparent; white-space: nowrap; }
  .tabs a[aria-current="page"] { color: var(--oc-accent); border-bottom-color: var(--oc-accent); }
  form.search { flex-direction: row; max-width: 32rem; gap: 0.5rem; }
  .roles { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; }
  code.label { background: var(--oc-surface-2); padding: 0 0.3rem; border-radius: 4px; font-size: 0.75rem; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`]
