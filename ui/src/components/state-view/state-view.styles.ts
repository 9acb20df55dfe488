import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const stateViewStyles = [shared, css`
  .box { display: flex; flex-direction: column; align-items: center; gap: 0.75rem; padding: 2rem 1rem; text-align: center; color: var(--oc-muted); }
  .box p { margin: 0; }
  .empty { border: 1px dashed var(--oc-border); border-radius: var(--oc-radius); background: var(--oc-surface); }
  .error { color: var(--oc-danger); background: var(--oc-danger-bg); border-radius: var(--oc-radius); }
  .spinner { width: 1.75rem; height: 1.75rem; border-radius: 50%; border: 3px solid var(--oc-border); border-top-color: var(--oc-accent); animation: spin 0.8s linear infinite; }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 3s; } }
`]
