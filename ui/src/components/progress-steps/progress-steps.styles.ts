import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const progressStepsStyles = [shared, css`
  ol { list-style: none; margin: 0 0 1rem; padding: 0; display: flex; flex-direction: column; gap: 0.5rem; }
  li { display: flex; align-items: center; gap: 0.75rem; color: var(--oc-muted); }
  li.done, li.active { color: var(--oc-text); }
  li.failed { color: var(--oc-danger); }
  .label { flex: 1; }
  .marker { flex: none; width: 1.6rem; height: 1.6rem; border-radius: 50%; display: inline-flex; align-items: center; justify-content: center; font-size: 0.85rem; font-weight: 700; border: 2px solid var(--oc-border); }
  .done .marker { background: var(--oc-ok); border-color: var(--oc-ok); color: var(--oc-surface); }
  .active .marker { border-color: var(--oc-accent); border-top-color: transparent; animation: spin 0.9s linear infinite; }
  .failed .marker { background: var(--oc-danger); border-color: var(--oc-danger); color: #fff; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .active .marker { animation-duration: 3s; } }
`]
