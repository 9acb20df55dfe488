import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const appShellStyles = [shared, css`
  :host { min-height: 100vh; display: flex; flex-direction: column; }
  .skip { position: absolute; left: -999px; top: 0.5rem; background: var(--oc-surface); padding: 0.5rem 1rem; border-radius: 8px; z-index: 10; }
  .skip:focus { left: 0.5rem; }
  header { background: var(--oc-surface); border-bottom: 1px solid var(--oc-border); position: sticky; top: 0; z-index: 5; }
  .bar { max-width: 1040px; margin: 0 auto; padding: 0.5rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.25rem; }
  .brand { display: inline-flex; align-items: center; gap: 0.4rem; font-weight: 700; font-size: 1.1rem; color: var(--oc-text); text-decoration: none; }
  .logo { width: 1.6rem; height: 1.6rem; flex: none; }
  nav { display: flex; gap: 0.25rem; flex: 1 1 auto; flex-wrap: wrap; }
  nav a { padding: 0.4rem 0.7rem; border-radius: 8px; color: var(--oc-muted); text-decoration: none; font-weight: 600; }
  nav a:hover { background: var(--oc-surface-2); color: var(--oc-text); }
  nav a[aria-current="page"] { color: var(--oc-accent); background: color-mix(in srgb, var(--oc-accent) 10%, transparent); }
  .tools { display: flex; align-items: center; gap: 0.5rem; margin-left: auto; }
  .who { color: var(--oc-muted); max-width: 11rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .menu-button { display: none; }
  main { flex: 1; outline: none; }
  .notice { max-width: 1040px; margin: 1rem auto 0; }

  @media (max-width: 720px) {
    .menu-button { display: inline-flex; margin-left: auto; }
    nav { display: none; order: 3; flex-basis: 100%; flex-direction: column; }
    nav.open { display: flex; }
    .tools { order: 2; flex-basis: 100%; justify-content: space-between; margin-left: 0; }
    .who { max-width: 10rem; }
  }
`]
