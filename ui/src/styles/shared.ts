// Styles every console element shares: layout, type, buttons, forms, cards, tables, notices.
import { css } from 'lit'

export const shared = css`
  :host { display: block; box-sizing: border-box; }
  *, *::before, *::after { box-sizing: inherit; }
  [hidden] { display: none !important; }

  h1, h2, h3 { line-height: 1.25; margin: 0 0 0.5rem; }
  h1 { font-size: 1.6rem; }
  h2 { font-size: 1.2rem; }
  h3 { font-size: 1rem; }
  p { margin: 0 0 0.75rem; }
  a { color: var(--oc-accent); }
  a:hover { color: var(--oc-accent-hover); }
  code, .mono { font-family: var(--oc-mono); font-size: 0.9em; overflow-wrap: anywhere; }
  .muted { color: var(--oc-muted); }
  .nowrap { white-space: nowrap; }
  .small { font-size: 0.875rem; }

  :focus-visible { outline: 3px solid var(--oc-focus); outline-offset: 2px; }

  .page { max-width: 1040px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  .narrow { max-width: 440px; }
  .stack { display: flex; flex-direction: column; gap: 1rem; }
  .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
  .spread { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.75rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 1rem; }

  .card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); box-shadow: var(--oc-shadow); padding: 1.25rem; }
  .card > h2:first-child, .card > h3:first-child { margin-top: 0; }

  button, .button {
    display: inline-flex; align-items: center; justify-content: center; gap: 0.4rem;
    min-height: 2.5rem; padding: 0.45rem 1rem; border-radius: 8px; border: 1px solid var(--oc-border);
    background: var(--oc-surface); color: var(--oc-text); font: inherit; font-weight: 600; cursor: pointer;
    text-decoration: none; white-space: nowrap;
  }
  button:hover, .button:hover { background: var(--oc-surface-2); color: var(--oc-text); }
  button.primary, .button.primary { background: var(--oc-accent); border-color: var(--oc-accent); color: var(--oc-accent-text); }
  button.primary:hover, .button.primary:hover { background: var(--oc-accent-hover); border-color: var(--oc-accent-hover); }
  button.danger { color: var(--oc-danger); border-color: var(--oc-danger); }
  button.danger:hover { background: var(--oc-danger-bg); }
  button.danger.solid { background: var(--oc-danger); color: #fff; }
  button.link { border: none; background: none; padding: 0; min-height: 0; color: var(--oc-accent); font-weight: inherit; text-decoration: underline; }
  button:disabled { opacity: 0.55; cursor: not-allowed; }
  button.small, .button.small { min-height: 2rem; padding: 0.2rem 0.7rem; font-size: 0.875rem; }

  form { display: flex; flex-direction: column; gap: 1rem; }
  label { display: flex; flex-direction: column; gap: 0.3rem; font-weight: 600; font-size: 0.95rem; }
  label.inline { flex-direction: row; align-items: center; gap: 0.5rem; font-weight: normal; }
  input, select {
    font: inherit; min-height: 2.5rem; padding: 0.4rem 0.65rem; border-radius: 8px;
    border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-text); width: 100%;
  }
  input[type="checkbox"], input[type="radio"] { width: auto; min-height: 0; accent-color: var(--oc-accent); }
  .field { display: flex; flex-direction: column; gap: 0.3rem; }
  .hint { font-weight: normal; font-size: 0.85rem; color: var(--oc-muted); }

  .notice { border-radius: 8px; padding: 0.75rem 1rem; border: 1px solid transparent; }
  .notice.error { background: var(--oc-danger-bg); color: var(--oc-danger); border-color: color-mix(in srgb, var(--oc-danger) 30%, transparent); }
  .notice.ok { background: var(--oc-ok-bg); color: var(--oc-ok); border-color: color-mix(in srgb, var(--oc-ok) 30%, transparent); }
  .notice.info { background: var(--oc-info-bg); color: var(--oc-info); border-color: color-mix(in srgb, var(--oc-info) 30%, transparent); }

  .table-wrap { overflow-x: auto; border: 1px solid var(--oc-border); border-radius: var(--oc-radius); background: var(--oc-surface); }
  table { border-collapse: collapse; width: 100%; font-size: 0.925rem; }
  th, td { text-align: left; padding: 0.6rem 0.75rem; border-bottom: 1px solid var(--oc-border); vertical-align: top; }
  th { font-weight: 600; color: var(--oc-muted); background: var(--oc-surface-2); white-space: nowrap; }
  tr:last-child td { border-bottom: none; }

  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1rem; margin: 0; }
  dl.facts dt { color: var(--oc-muted); }
  dl.facts dd { margin: 0; overflow-wrap: anywhere; }

  @media (max-width: 600px) {
    .page { padding: 1rem 0.75rem 2rem; }
    h1 { font-size: 1.35rem; }
    dl.facts { grid-template-columns: 1fr; gap: 0.1rem; }
    dl.facts dd { margin-bottom: 0.5rem; }
  }
`
