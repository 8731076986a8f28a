// The SPARQL editor: YASGUI (served from /static/vendor, never from a CDN) on this server's
// endpoint only, the project's prefixes, the example gallery and download links for results.
// Without YASGUI (assets not built, scripts off) the plain form of the page stays in place.
"use strict";

(function () {
  const holder = document.getElementById("yasgui");
  if (!holder || typeof window.Yasgui !== "function") return;
  const config = JSON.parse(document.getElementById("aikg-sparql").textContent);
  const endpoint = holder.dataset.endpoint;
  const downloads = document.getElementById("result-downloads");
  document.getElementById("plain-editor").hidden = true;

  const yasgui = new window.Yasgui(holder, {
    requestConfig: { endpoint, method: "POST", acceptHeaderGraph: "text/turtle,*/*;q=0.9" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: "aikg-sparql", // tabs kept in this browser's local storage, nowhere else
    yasqe: {
      value: config.query,
      // Prefix completion from the project's prefixes, not from prefix.cc; no term lookups on
      // LOV, no link shortener.
      prefixCcApi: `data:application/json,${encodeURIComponent(JSON.stringify(config.prefixes))}`,
      autocompleters: ["prefixes", "variables"],
      createShortLink: undefined,
      editorHeight: "380px",
    },
    yasr: { prefixes: config.prefixes },
  });
  window.aikgYasgui = yasgui; // for the browser tests and the curious

  function openExample(name) {
    const example = config.examples.find((e) => e.name === name);
    if (!example) return;
    const tab = yasgui.addTab(true, { name: example.title, yasqe: { value: example.sparql } },
                              { avoidDuplicateTabs: true });
    tab.setQuery(example.sparql);
    tab.getYasqe().focus();
  }

  // After each query, links that fetch the same results from the endpoint as a file.
  function offerDownloads(tab) {
    const query = tab.getQuery();
    const kind = tab.getYasqe().getQueryType();
    const graph = kind === "CONSTRUCT" || kind === "DESCRIBE";
    downloads.hidden = !(graph || kind === "SELECT" || kind === "ASK");
    downloads.querySelector('[data-kind="select"]').hidden = graph;
    downloads.querySelector('[data-kind="graph"]').hidden = !graph;
    const path = new URL(endpoint).pathname;
    downloads.querySelectorAll("a[data-format]").forEach((link) => {
      link.href = `${path}?${new URLSearchParams({ query, format: link.dataset.format })}`;
    });
  }

  // An entity IRI in the results opens its page on this server.
  const entities = holder.dataset.entities;
  function localLinks() {
    holder.querySelectorAll(`a[href^="${entities}"]`).forEach((link) => {
      const id = link.getAttribute("href").slice(entities.length);
      if (/^[a-z0-9][a-z0-9._-]*$/.test(id)) link.href = holder.dataset.pages.replace("__ID__", id);
    });
  }
  new MutationObserver(localLinks).observe(holder, { childList: true, subtree: true });

  yasgui.on("query", (_, tab) => offerDownloads(tab));
  yasgui.on("tabSelect", () => { downloads.hidden = true; });
  document.querySelectorAll("a.example").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openExample(link.dataset.example);
      holder.scrollIntoView({ block: "start" });
    });
  });
  if (holder.dataset.example) openExample(holder.dataset.example);
})();
