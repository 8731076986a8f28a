"use strict";
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
};
const resolve = (spec, schema) => schema && schema.$ref
  ? spec.components.schemas[schema.$ref.split("/").pop()] : schema || {};

function describeSchema(schema) {
  const parts = [schema.type === "array" ? `list of ${schema.items.type || "id"}` : schema.type];
  const allowed = schema.enum || (schema.items && schema.items.enum);
  if (allowed) parts.push(`one of: ${allowed.join(", ")}`);
  if (schema.minimum !== undefined) parts.push(`${schema.minimum} to ${schema.maximum}`);
  if (schema.default !== undefined) parts.push(`default ${schema.default}`);
  if (schema.pattern) parts.push(`pattern ${schema.pattern}`);
  return parts.join("; ");
}

function operation(spec, path, op) {
  const section = el("section", {id: op.operationId},
    el("h3", {}, el("span", {class: "verb"}, "GET"), el("code", {}, path)),
    el("p", {}, op.summary));
  const params = op.parameters || [];
  if (params.length) {
    const table = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"),
      el("th", {}, "values"), el("th", {}, "meaning")));
    for (const p of params) {
      table.append(el("tr", {}, el("td", {}, el("code", {}, p.name + (p.required ? " *" : ""))),
        el("td", {}, p.in), el("td", {}, describeSchema(p.schema)), el("td", {}, p.description || "")));
    }
    section.append(table);
  }
  const statuses = Object.entries(op.responses).map(([code, r]) => `${code}: ${r.description}`);
  section.append(el("p", {class: "muted"}, "Responses — " + statuses.join(" · ")));
  const form = el("form");
  for (const p of params) {
    const example = p.schema.examples ? p.schema.examples[0] : "";
    form.append(el("label", {}, p.name + " ", el("input", {name: p.name, placeholder: example})));
  }
  const out = el("pre", {hidden: ""});
  form.append(el("button", {type: "submit"}, "Try it"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let url = path;
    const query = new URLSearchParams();
    for (const p of params) {
      const value = form.elements[p.name].value.trim();
      if (!value) continue;
      if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(value));
      else query.append(p.name, value);
    }
    const target = url + (query.toString() ? "?" + query : "");
    const response = await fetch(target);
    const text = await response.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* plain text */ }
    out.textContent = `GET ${target}\n${response.status}\n\n${shown}`;
    out.hidden = false;
  });
  section.append(form, out);
  return section;
}

fetch("/openapi.json").then((r) => r.json()).then((spec) => {
  document.getElementById("intro").append(el("p", {}, spec.info.description));
  const list = document.getElementById("operations");
  list.textContent = "";
  for (const [path, item] of Object.entries(spec.paths)) {
    if (item.get) list.append(operation(spec, path, item.get));
  }
}).catch((error) => {
  document.getElementById("operations").textContent = "Could not read /openapi.json: " + error;
});
