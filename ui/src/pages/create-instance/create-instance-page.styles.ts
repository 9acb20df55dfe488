import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const createInstancePageStyles = [shared, css`
  h1, h2 { margin: 0; }
  fieldset { border: none; margin: 0; padding: 0; }
  legend { font-weight: 600; margin-bottom: 0.5rem; padding: 0; }
  .plans { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 0.75rem; }
  label.plan { flex-direction: row; align-items: flex-start; gap: 0.6rem; font-weight: normal; border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.85rem; cursor: pointer; background: var(--oc-surface); }
  label.plan:has(input:checked) { border-color: var(--oc-accent); box-shadow: 0 0 0 1px var(--oc-accent); }
  label.plan input { margin-top: 0.3rem; }
  .plan-body { display: flex; flex-direction: column; gap: 0.1rem; }
  .price { font-weight: 600; color: var(--oc-accent); }
  .ready p { margin: 0 0 0.25rem; }
  .url { font-size: 1.05rem; }
`]
