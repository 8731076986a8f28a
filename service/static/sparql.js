// The SPARQL editor: YASGUI (served from /static/vendor, never from a CDN) on this server's
// endpoint only, the project's prefixes, the example gallery and download links for results.
// Completion asks this server only: aikg: terms from the ontology (in the page), kg: entities by
// id or name from /api/entities. YASGUI's own completers that call prefix.cc and Linked Open
// Vocabularies are replaced, under their names, so no configuration merge can bring them back.
// Without YASGUI (assets not built, scripts off) the plain form of the page stays in place.
"use strict";

(function () {
  const holder = document.getElementById("yasgui");
  if (!holder || typeof window.Yasgui !== "function") return;
  const config = JSON.parse(document.getElementById("aikg-sparql").textContent);
  const endpoint = holder.dataset.endpoint;
  const downloads = document.getElementById("result-downloads");
  document.getElementById("plain-editor").hidden = true;

  const COMPLETERS = ["prefixes", "variables", "property", "class", "aikg-terms", "entities"];
  const described = new Map(); // completion text -> what it names, shown beside it
  const describe = (term) => [term.label_en, term.label_zh].filter(Boolean).join("  ");

  // aikg: classes or properties whose CURIE starts with the token, or whose name holds it.
  function ontologyTerms(kind, token) {
    const typed = token.string.trim();
    const name = typed.includes(":") ? typed.slice(typed.indexOf(":") + 1).toLowerCase() : "";
    return config.terms.filter((term) => term.kind === kind && (term.curie.startsWith(typed)
      || (name && `${term.label_en} ${term.label_zh}`.toLowerCase().includes(name))))
      .slice(0, 50).map((term) => {
        described.set(term.curie, describe(term));
        return term.curie;
      });
  }

  // kg: entities whose id or English or Chinese name matches what follows "kg:".
  async function entitiesNamed(token) {
    const typed = token.string.trim().slice(3);
    if (!typed) return [];
    const params = new URLSearchParams({ q: typed, limit: "20" });
    const response = await fetch(`${holder.dataset.search}?${params}`,
                                 { headers: { Accept: "application/json" } });
    if (!response.ok) return [];
    return (await response.json()).data.map((entity) => {
      described.set(`kg:${entity.id}`, describe(entity));
      return `kg:${entity.id}`;
    });
  }

  const plain = {
    bulk: false,
    autoShow: true,
    preProcessToken: (_, token) => token,
    postProcessSuggestion: (_, __, suggestion) => suggestion,
    postprocessHints: (_, hints) => hints.map((hint) => ({
      ...hint, displayText: `${hint.text}   ${described.get(hint.text) || ""}`.trim() })),
  };
  const inTerm = (prefix) => (yasqe) => yasqe.getCompleteToken().string.startsWith(prefix);
  const Yasqe = window.Yasgui.Yasqe;
  const never = () => false; // LOV's completers, replaced: "aikg-terms" completes aikg: terms
  Yasqe.forkAutocompleter("property", { ...plain, name: "property", isValidCompletionPosition: never,
    get: () => [] });
  Yasqe.forkAutocompleter("class", { ...plain, name: "class", isValidCompletionPosition: never,
    get: () => [] });
  Yasqe.forkAutocompleter("class", { ...plain, name: "aikg-terms",
    isValidCompletionPosition: inTerm("aikg:"),
    get: (_, token) => ontologyTerms("property", token).concat(ontologyTerms("class", token)) }, false);
  Yasqe.forkAutocompleter("class", { ...plain, name: "entities",
    isValidCompletionPosition: inTerm("kg:"), get: (_, token) => entitiesNamed(token) }, false);
  Yasqe.defaults.autocompleters = COMPLETERS;

  const yasgui = new window.Yasgui(holder, {
    // Errors come back as plain text ("1:15: unknown prefix ..."), not as escaped JSON.
    requestConfig: { endpoint, method: "POST",
                     acceptHeaderSelect: "application/sparql-results+json,text/plain;q=0.1",
                     acceptHeaderGraph: "text/turtle,text/plain;q=0.1" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: "aikg-sparql", // tabs kept in this browser's local storage, nowhere else
    yasqe: {
      value: config.query,
      // Prefix completion from the project's prefixes, not from prefix.cc; no link shortener.
      prefixCcApi: `data:application/json,${encodeURIComponent(JSON.stringify(config.prefixes))}`,
      autocompleters: COMPLETERS,
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
