// Building DOM from data that may come from an LLM: text only ever goes in as text nodes
// or textContent, never as HTML. The one exception is Markdown the server sanitised.

const SVG_NS = "http://www.w3.org/2000/svg";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function icon(name, cls = "") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", `icon ${cls}`.trim());
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(SVG_NS, "use");
  use.setAttribute("href", `#i-${name}`);
  svg.append(use);
  return svg;
}

// Five stars, filled to the rating (the filled layer is clipped by its width).
export function stars(rating) {
  if (rating === null || rating === undefined) return null;
  const row = () => [0, 1, 2, 3, 4].map(() => icon("star"));
  const fill = h("span", { class: "stars-fill" }, row());
  fill.style.width = `${Math.max(0, Math.min(5, rating)) * 20}%`;
  return h(
    "span",
    { class: "rating", title: `Rated ${rating} out of 5` },
    h("span", { class: "stars", "aria-hidden": "true" }, h("span", { class: "stars-base" }, row()), fill),
    h("span", { class: "rating-value" }, Number(rating).toFixed(1)),
  );
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function $(id) {
  return document.getElementById(id);
}

// Server-sanitised HTML (markdown-it without raw HTML, then nh3 with an allowlist).
export function sanitizedHtml(el, html) {
  el.innerHTML = html;
  return el;
}
