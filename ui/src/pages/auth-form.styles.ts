// The narrow card of the sign-in, registration, password and setup pages.
import { css } from 'lit'
import { shared } from '../styles/shared.js'

export const authFormStyles = [shared, css`
  .page.narrow { padding-top: 2.5rem; }
  h1 { margin: 0; }
  .providers { display: flex; flex-direction: column; gap: 0.5rem; border-top: 1px solid var(--oc-border); padding-top: 1rem; }
  .providers p { margin: 0; }
  .links { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem; margin: 0; }
  .notice { margin: 0; }
`]
