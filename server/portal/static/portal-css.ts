/** The portal's stylesheet: system fonts, light and dark schemes, visible keyboard focus, AA contrast. */
export const PORTAL_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --card: #ffffff; --text: #1b1f24; --muted: #57606a; --border: #d0d7de;
  --accent: #0b5cad; --accent-text: #ffffff; --danger: #b42318; --ok: #116329; --warn: #8a4b00;
  --ok-bg: #dafbe1; --danger-bg: #ffebe9; --warn-bg: #fff1d6; --focus: #f59e0b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #9da7b3; --border: #30363d;
    --accent: #4493f8; --accent-text: #0d1117; --danger: #ff7b72; --ok: #56d364; --warn: #e3b341;
    --ok-bg: #12261e; --danger-bg: #2d1416; --warn-bg: #2b2111;
  }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
main { max-width: 980px; margin: 0 auto; padding: 0 20px 48px; }
main:focus { outline: none; }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.15rem; margin: 0; }
h3 { font-size: 1rem; margin: 0; word-break: break-all; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
.muted { color: var(--muted); }
.help { color: var(--muted); font-size: 0.875rem; margin: 4px 0 0; }
.skip-link { position: absolute; left: -9999px; top: 8px; background: var(--card); color: var(--text); padding: 8px 12px; z-index: 10; }
.skip-link:focus { left: 8px; }
.top { display: flex; flex-wrap: wrap; gap: 12px; justify-content: space-between; align-items: flex-end;
  max-width: 980px; margin: 0 auto; padding: 24px 20px 12px; }
.top p { margin: 2px 0 0; }
.expiry { border: 1px solid var(--border); border-radius: 999px; padding: 4px 12px; font-size: 0.875rem; background: var(--card); }
.expiry.soon { border-color: var(--warn); color: var(--warn); }
.status { max-width: 940px; margin: 0 auto 12px; padding: 0 20px; min-height: 1.5em; }
.status:not(:empty) { padding: 8px 12px; border-radius: 6px; background: var(--ok-bg); color: var(--ok); }
.status.error:not(:empty) { background: var(--danger-bg); color: var(--danger); }
section { margin-top: 24px; }
.section-head { display: flex; justify-content: space-between; align-items: center; gap: 12px; margin-bottom: 6px; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 16px; margin-top: 12px; }
.gate { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 24px; }
.endpoint-head { display: flex; justify-content: space-between; gap: 12px; align-items: flex-start; }
.endpoint-meta { margin: 6px 0 0; color: var(--muted); font-size: 0.875rem; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.tags { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; padding: 0; list-style: none; }
.tag { border: 1px solid var(--border); border-radius: 999px; padding: 1px 10px; font-size: 0.8rem; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.failed { background: var(--danger-bg); color: var(--danger); }
.badge.pending { background: var(--warn-bg); color: var(--warn); }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; align-items: center; }
.secret { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 12px; padding: 8px 10px;
  border: 1px dashed var(--border); border-radius: 6px; }
.secret code { word-break: break-all; }
button { font: inherit; border: 1px solid var(--border); background: var(--card); color: var(--text);
  border-radius: 6px; padding: 6px 12px; cursor: pointer; min-height: 34px; }
button:hover { border-color: var(--accent); }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); font-weight: 600; }
button.danger { color: var(--danger); border-color: var(--danger); }
button:disabled { opacity: 0.55; cursor: not-allowed; }
button:focus-visible, input:focus-visible, select:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; }
.field { margin: 0 0 14px; border: 0; padding: 0; }
label, legend { display: block; font-weight: 600; margin-bottom: 4px; padding: 0; }
input[type=url], input[type=text], select { width: 100%; font: inherit; color: var(--text); background: var(--bg);
  border: 1px solid var(--border); border-radius: 6px; padding: 7px 10px; }
select { width: auto; }
input[aria-invalid=true] { border-color: var(--danger); }
.checks { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 4px 16px; margin-top: 6px; }
.checks label { font-weight: 400; display: flex; gap: 8px; align-items: center; margin: 0; }
.error { color: var(--danger); margin: 8px 0 0; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--border); border-radius: 8px; margin-top: 12px; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--border); vertical-align: top; font-size: 0.9rem; }
th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
td.attempts-cell { background: var(--bg); }
pre { white-space: pre-wrap; word-break: break-all; margin: 8px 0 0; }
details { margin-top: 8px; }
.delivery-line { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 2px 0; }
.empty { color: var(--muted); padding: 16px; border: 1px dashed var(--border); border-radius: 8px; margin-top: 12px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 640px) { .endpoint-head { flex-direction: column; } th.optional, td.optional { display: none; } }
`;
