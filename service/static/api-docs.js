// The /docs page: every GET route of /openapi.json, listed, each with its parameters and a form
// that tries it on this server. Nothing is fetched from elsewhere. `code` in the descriptions
// is shown as code, not as backticks.
"use strict";

(function () {
  const list = document.getElementById("api-operations");
  if (!list) return;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  };

  // Text with `code` spans, as nodes: the backticks become <code>.
  function prose(text) {
    return (text || "").split("`").map((part, i) => (i % 2 ? el("code", {}, part) : part));
  }

  function describeSchema(schema) {
    const parts = [schema.type === "array" ? `list of ${schema.items.type || "id"}` : schema.type];
    const allowed = schema.enum || (schema.items && schema.items.enum);
    if (allowed) parts.push(`one of: ${allowed.join(", ")}`);
    if (schema.minimum !== undefined) parts.push(`${schema.minimum} to ${schema.maximum}`);
    if (schema.default !== undefined) parts.push(`default ${schema.default}`);
    if (schema.pattern) parts.push(`pattern ${schema.pattern}`);
    return parts.join("; ");
  }

  function tryForm(path, params) {
    const form = el("form", { class: "try" });
    for (const p of params) {
      const example = p.schema.examples ? p.schema.examples[0] : "";
      form.append(el("label", {}, `${p.name} `, el("input", { name: p.name, placeholder: example })));
    }
    const out = el("pre", { hidden: "" });
    form.append(el("button", { type: "submit" }, "Try it"));
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
      const target = url + (query.toString() ? `?${query}` : "");
      const response = await fetch(target);
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* plain text */ }
      out.textContent = `GET ${target}\n${response.status}\n\n${shown}`;
      out.hidden = false;
    });
    return [form, out];
  }

  function operation(path, op) {
    const params = op.parameters || [];
    const section = el("details", { id: op.operationId, class: "operation" },
      el("summary", {}, el("span", { class: "verb" }, "GET"), " ", el("code", {}, path), " ",
         el("span", { class: "muted" }, ...prose(op.summary))));
    if (params.length) {
      const table = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"),
        el("th", {}, "values"), el("th", {}, "meaning")));
      for (const p of params) {
        table.append(el("tr", {}, el("td", {}, el("code", {}, p.name + (p.required ? " *" : ""))),
          el("td", {}, p.in), el("td", {}, describeSchema(p.schema)),
          el("td", {}, ...prose(p.description))));
      }
      section.append(el("div", { class: "table-wrap" }, table));
    }
    const statuses = Object.entries(op.responses).map(([code, r]) => `${code}: ${r.description}`);
    section.append(el("p", { class: "muted" }, ...prose(`Responses: ${statuses.join(" · ")}`)));
    section.append(...tryForm(path, params));
    return section;
  }

  fetch(list.dataset.spec).then((r) => r.json()).then((spec) => {
    document.getElementById("api-intro").append(el("p", {}, ...prose(spec.info.description)));
    list.textContent = "";
    for (const [path, item] of Object.entries(spec.paths)) {
      if (!item.get) continue;
      list.append(operation(path, item.get));
    }
    if (location.hash) document.querySelector(location.hash)?.setAttribute("open", "");
  }).catch((error) => {
    list.textContent = `Could not read the API description: ${error}`;
  });
})();
