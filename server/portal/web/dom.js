/**
 * Small DOM helpers. The page builds its DOM from elements and textContent and never parses an
 * HTML string: URLs, descriptions and payloads come from users.
 */
/** @import { Child, Props } from './types.js' */

/**
 * The element with this id, of the expected type; a missing one is a bug in the page, not a state.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {new () => T} [type]
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof (type ?? HTMLElement))) throw new Error(`#${id} is missing from the page`);
  return /** @type {T} */ (node);
}

/**
 * A new element: `text` sets its text, `class` its class name, `on<event>` adds a listener, any
 * other prop is an attribute (true → present, false/null/undefined → absent).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {Child[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      if (!key.startsWith('on')) throw new Error(`el(): a listener needs an on<event> prop, got ${key}`);
      node.addEventListener(key.slice(2), value);
    } else if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/**
 * Replaces every child of `node`, skipping the empty slots conditional children leave.
 * @param {Element} node
 * @param {Array<Node | null | undefined | false>} children
 */
export function replaceChildren(node, children) {
  /** @type {Node[]} */
  const present = [];
  for (const child of children) if (child) present.push(child);
  node.replaceChildren(...present);
}

/**
 * Says what just happened in the polite live region at the top of the page.
 * @param {string} text
 * @param {boolean} [isError]
 */
export function announce(text, isError = false) {
  const status = byId('status');
  status.className = isError ? 'status error' : 'status';
  status.textContent = text;
}

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

/**
 * host/path of a URL, for labels; the URL itself when it does not parse.
 * @param {string} url
 */
export function shortUrl(url) {
  try {
    const u = new URL(url);
    return u.host + (u.pathname === '/' ? '' : u.pathname);
  } catch {
    return url;
  }
}
