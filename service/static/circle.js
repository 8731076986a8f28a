// The circle-of-friends explorer of an entity page, drawn with cytoscape.js from
// /api/entities/<id>/circle: rings by distance (concentric), nodes coloured by the kind of entity
// with a legend. A click on a node (or Expand, for the keyboard) adds that node's own circle
// around it, leaving every other node where it is; a second click folds it again. Past
// QUIET_AFTER nodes, edge labels show on hover only. At most CAP nodes are drawn at once.
// The "As of" slider (static/circle-time.js, loaded first) steps through the days an edge drawn
// began or ended: the edges that did not hold on the day chosen, and the members they alone
// bring in, fade.
"use strict";

(function () {
  const section = document.getElementById("circle");
  const form = document.getElementById("circle-controls");
  if (!section || !form || typeof window.cytoscape !== "function" || !window.aikgCircleTime) return;
  const { startDay, asOfSlider } = window.aikgCircleTime; // static/circle-time.js

  const CAP = 150;
  const QUIET_AFTER = 30; // nodes past which edge labels show only on hover
  const READABLE = 9; // px: the smallest label height the first view may show
  // Colour-blind-safe colours (Okabe-Ito, then Tableau), one per kind of entity, in the order
  // the server lists the kinds (most populous first), so a kind has its colour on every page.
  const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D31",
                   "#7F7F7F", "#B07AA1", "#59A14F", "#EDC948", "#9C755F"];
  const OTHER = "#A0A7B4";
  const kinds = JSON.parse(document.getElementById("circle-kinds").textContent);
  const colourOf = new Map(kinds.groups.map((group, i) => [group.id, PALETTE[i % PALETTE.length]]));
  const legend = document.getElementById("circle-legend");
  const centre = section.closest("[data-entity]").dataset.entity;
  const kg = section.dataset.kg;
  const box = document.getElementById("circle-graph");
  const status = section.querySelector(".status");
  const roleList = form.querySelector(".role-list");
  const nodeSelect = form.elements.node;
  const expansions = []; // {node, nodes, edges}, in the order they were made
  let roles = []; // the role keys of the unfiltered circle at this depth

  const url = (template, id) => template.replace("__ID__", encodeURIComponent(id));

  form.hidden = false;
  box.hidden = false;
  const cy = window.cytoscape({
    container: box,
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      { selector: "node", style: {
        label: "data(label)", "text-wrap": "wrap", "text-max-width": 110, "font-size": 13,
        "text-valign": "bottom", "text-margin-y": 3, color: "#1b1f24",
        "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 1, "min-zoomed-font-size": 4,
        "background-color": "data(colour)", width: 22, height: 22 } },
      { selector: "node[level = 0]", style: {
        width: 40, height: 40, "font-weight": "bold", "font-size": 15,
        "border-width": 3, "border-color": "#14213d" } },
      { selector: "node[!expandable]", style: { shape: "round-rectangle" } },
      { selector: "node.expanded", style: { "border-width": 4, "border-color": "#b45309" } },
      { selector: "node:selected", style: { "overlay-color": "#b45309", "overlay-opacity": 0.25 } },
      { selector: "edge", style: {
        width: 1.5, "curve-style": "bezier", "line-color": "#b3bccb", "target-arrow-color": "#b3bccb",
        "target-arrow-shape": "triangle", "font-size": 10, color: "#4a5361",
        "text-rotation": "autorotate", "min-zoomed-font-size": 6,
        "text-background-color": "#ffffff", "text-background-opacity": 0.9 } },
      { selector: "edge.labelled", style: { label: "data(label)", "z-index": 2 } },
      { selector: "edge.hovered", style: { width: 2.5, "line-color": "#4a5361",
                                           "target-arrow-color": "#4a5361", "z-index": 3 } },
      { selector: "node, edge", style: { "transition-property": "opacity",
                                         "transition-duration": "300ms" } },
      { selector: ".faded", style: { opacity: 0.12, events: "no" } },
    ],
  });
  const asOf = asOfSlider(cy, form, centre, say);
  window.aikgCircle = { cy, expansions }; // for the browser tests and the curious

  function say(text, warn = false) {
    status.textContent = text;
    status.classList.toggle("warn", warn);
  }

  // The roles to keep: [] for all (no filter), null for none.
  function chosenRoles() {
    const checked = Array.from(roleList.querySelectorAll("input:checked"), (box) => box.value);
    if (checked.length === 0) return null;
    return checked.length === roles.length ? [] : checked;
  }

  function query(depth, filter, format) {
    const params = new URLSearchParams({ depth: String(depth), limit: "500" });
    filter.forEach((role) => params.append("role", role));
    if (format) params.set("format", format);
    if (format && asOf.chosenDay()) params.set("at", asOf.chosenDay());
    return params.toString();
  }

  async function fetchCircle(id, depth, filter) {
    const response = await fetch(`${url(section.dataset.api, id)}?${query(depth, filter)}`,
                                 { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body.data;
  }

  function nodeElement(node, level) {
    const name = node.label_en || node.id;
    const label = node.label_zh && node.label_zh !== name ? `${name}\n${node.label_zh}` : name;
    const kind = node.types.map((t) => kinds.classes[t] || t)[0] || "";
    return { group: "nodes", data: {
      id: node.id, label, name, level, kind, colour: colourOf.get(kind) || OTHER,
      types: node.types.join(", "), expandable: node.iri === kg + node.id } };
  }

  // Add a circle's members (nearest first) and the statements on their paths; new elements only.
  function addCircle(data, baseLevel) {
    const added = { nodes: [], edges: [] };
    const seen = new Set();
    let left = 0;
    const members = data.groups.flatMap((group) => group.members)
      .sort((a, b) => a.distance - b.distance);
    for (const member of members) {
      if (seen.has(member.id)) continue;
      seen.add(member.id);
      if (cy.getElementById(member.id).empty()) {
        if (cy.nodes().length >= CAP) {
          left += 1;
          continue;
        }
        cy.add(nodeElement(member, baseLevel + member.distance));
        added.nodes.push(member.id);
      }
      for (const hop of member.path) {
        for (const edge of hop.edges) {
          const [source, target] = edge.direction === "out" ? [hop.from.id, hop.to.id] : [hop.to.id, hop.from.id];
          const id = `${source} ${edge.relation} ${target}`;
          if (cy.getElementById(id).empty() && cy.getElementById(source).nonempty()
              && cy.getElementById(target).nonempty()) {
            cy.add({ group: "edges", data: { id, source, target, label: edge.label_en || edge.relation,
                                             start: startDay(edge.since), end: startDay(edge.until) } });
            added.edges.push(id);
          }
        }
      }
    }
    return { added, left };
  }

  // Rings by distance from the centre; a crowded ring is split in two staggered rings, so that
  // labels stay readable once the view is fitted to the box.
  function arrange() {
    const byLevel = new Map();
    cy.nodes().forEach((node) => {
      const level = node.data("level");
      byLevel.set(level, (byLevel.get(level) || []).concat(node));
    });
    byLevel.forEach((nodes) => nodes.forEach((node, i) => {
      node.data("ring", node.data("level") * 2 + (nodes.length > 14 && i % 2 ? 1 : 0));
    }));
    cy.layout({ name: "concentric", concentric: (node) => 100 - node.data("ring"),
                levelWidth: () => 1, minNodeSpacing: 44, animate: false,
                fit: true, padding: 24, sort: (a, b) => a.data("kind").localeCompare(b.data("kind")) })
      .run();
    // A large circle fitted whole would shrink its labels past reading: start zoomed in on the
    // centre instead, at the smallest readable size; scrolling zooms out to the whole circle.
    const readable = READABLE / 13;
    if (cy.zoom() < readable) {
      cy.zoom(readable);
      cy.center(cy.getElementById(centre));
    }
  }

  // The new nodes of an expansion, in an arc around the node expanded, facing away from the
  // centre, pushed out until they clear the nodes already drawn; nothing else moves.
  function placeAround(node, ids) {
    if (ids.length === 0) return;
    const origin = node.position();
    const middle = cy.getElementById(centre).position();
    const away = Math.atan2(origin.y - middle.y, origin.x - middle.x) || 0;
    const arc = Math.min(2 * Math.PI, Math.max(Math.PI / 2, ids.length * 0.45));
    const others = cy.nodes().filter((n) => !ids.includes(n.id())).map((n) => n.position());
    const spots = (radius) => ids.map((_, i) => {
      const angle = away - arc / 2 + (arc * (i + 0.5)) / ids.length;
      return { x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) };
    });
    const clear = (found) => found.every((p) => others.every((o) => Math.hypot(p.x - o.x, p.y - o.y) > 70));
    let radius = Math.max(120, (ids.length * 80) / arc); // about 80 px between new nodes
    for (let tries = 0; tries < 8 && !clear(spots(radius)); tries += 1) radius += 50;
    spots(radius).forEach((spot, i) => cy.getElementById(ids[i]).position(spot));
    cy.animate({ fit: { eles: cy.elements(), padding: 24 } }, { duration: 250 });
  }

  // Edge labels: always while the view is small, else only those of the node under the pointer.
  function labelEdges() {
    cy.edges().toggleClass("labelled", cy.nodes().length <= QUIET_AFTER);
  }

  function drawLegend() {
    const present = new Map();
    cy.nodes().forEach((node) => present.set(node.data("kind"), (present.get(node.data("kind")) || 0) + 1));
    legend.replaceChildren(...kinds.groups.filter((group) => present.has(group.id)).map((group) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = colourOf.get(group.id);
      const zh = document.createElement("span");
      zh.lang = "zh";
      zh.textContent = group.label_zh;
      item.dataset.kind = group.id;
      item.append(swatch, ` ${group.label_en || group.id} `, zh, ` (${present.get(group.id)})`);
      return item;
    }));
    legend.hidden = false;
  }

  function refresh() {
    labelEdges();
    drawLegend();
    const current = nodeSelect.value;
    nodeSelect.replaceChildren(...cy.nodes().sort((a, b) => a.data("name").localeCompare(b.data("name")))
      .map((node) => {
        const option = document.createElement("option");
        option.value = node.id();
        option.textContent = `${node.data("name")}${node.hasClass("expanded") ? " (expanded)" : ""}`;
        return option;
      }));
    if (cy.getElementById(current).nonempty()) nodeSelect.value = current;
    form.querySelector('[data-action="undo"]').disabled = expansions.length === 0;
    asOf.setDays();
  }

  function report(left) {
    const shown = cy.nodes().length - 1;
    if (left > 0) {
      say(`Showing ${shown} nodes: the view holds ${CAP} at most, ${left} more left out. `
          + "Fold a node, or narrow the depth and roles, to see others.", true);
    } else {
      say(`${shown} members shown; ${expansions.length} node${expansions.length === 1 ? "" : "s"} expanded.`);
    }
  }

  async function expand(id) {
    const node = cy.getElementById(id);
    if (node.empty() || node.hasClass("expanded") || id === centre) return;
    if (!node.data("expandable")) {
      say(`${node.data("name")} is not an entity of this graph: it has no circle to expand.`);
      return;
    }
    if (chosenRoles() === null) {
      say("Tick at least one role.", true);
      return;
    }
    say(`Expanding ${node.data("name")}…`);
    try {
      const data = await fetchCircle(id, 1, chosenRoles());
      const { added, left } = addCircle(data, node.data("level"));
      expansions.push({ node: id, ...added });
      node.addClass("expanded");
      placeAround(node, added.nodes);
      refresh();
      report(left);
    } catch (error) {
      say(`Could not expand ${node.data("name")}: ${error.message}`, true);
    }
  }

  // Fold a node: what its expansion added goes, after the expansions made from those nodes.
  function collapse(id) {
    const index = expansions.findIndex((e) => e.node === id);
    if (index < 0) return;
    const expansion = expansions[index];
    for (const later of expansions.slice(index + 1).reverse()) {
      if (expansion.nodes.includes(later.node)) collapse(later.node);
    }
    expansions.splice(expansions.indexOf(expansion), 1);
    cy.remove(cy.collection(expansion.edges.concat(expansion.nodes)
      .map((e) => cy.getElementById(e)).filter((e) => e.nonempty())));
    cy.getElementById(id).removeClass("expanded");
    refresh();
    report(0);
  }

  function toggle(id) {
    if (cy.getElementById(id).hasClass("expanded")) collapse(id);
    else expand(id);
  }

  function buildRoles(data) {
    roles = data.composition.roles.map((role) => role.key);
    roleList.replaceChildren(...data.composition.roles.map((role) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = role.key;
      box.checked = true;
      label.append(box, ` ${role.label_en} `);
      const zh = document.createElement("span");
      zh.lang = "zh";
      zh.textContent = role.label_zh;
      label.append(zh, ` (${role.count})`);
      return label;
    }));
  }

  async function draw(fresh) {
    const depth = Number(form.elements.depth.value);
    if (!fresh && chosenRoles() === null) {
      say("Tick at least one role.", true);
      return;
    }
    say("Loading the circle…");
    try {
      const filter = fresh ? [] : chosenRoles();
      const data = await fetchCircle(centre, depth, filter);
      if (fresh) buildRoles(data);
      expansions.length = 0;
      cy.elements().remove();
      cy.add(nodeElement(data.center, 0));
      const { left } = addCircle(data, 0);
      form.querySelector('[data-action="graphml"]').href =
        `${url(section.dataset.api, centre)}?${query(depth, filter, "graphml")}`;
      arrange();
      refresh();
      report(left + Math.max(0, data.size - new Set(data.groups.flatMap((g) => g.members.map((m) => m.id))).size));
      const farthest = Math.max(0, ...Object.keys(data.composition.distances).map(Number));
      if (depth > 1 && farthest < depth) {
        say(`${status.textContent} Depth ${depth} adds no one: everyone tied to ${cy.getElementById(centre).data("name")} `
            + `is within ${farthest} hop${farthest === 1 ? "" : "s"}.`);
      }
    } catch (error) {
      say(`Could not load the circle: ${error.message}`, true);
    }
  }

  function savePng() {
    const link = document.createElement("a");
    link.href = cy.png({ full: true, scale: 2, bg: "#ffffff" });
    link.download = `aikg-circle-${centre}.png`;
    document.body.append(link);
    link.click();
    link.remove();
  }

  cy.on("mouseover", "node", (event) => {
    event.target.connectedEdges().addClass("hovered labelled");
  });
  cy.on("mouseout", "node", (event) => {
    event.target.connectedEdges().removeClass("hovered");
    labelEdges();
  });
  cy.on("tap", "node", (event) => {
    nodeSelect.value = event.target.id();
    toggle(event.target.id());
  });
  form.elements.depth.addEventListener("change", () => draw(true));
  roleList.addEventListener("change", () => draw(false));
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    const id = nodeSelect.value;
    if (action === "expand") expand(id);
    else if (action === "collapse") collapse(id);
    else if (action === "open" && cy.getElementById(id).data("expandable")) {
      window.location.href = url(section.dataset.pages, id);
    }
    else if (action === "undo" && expansions.length) collapse(expansions[expansions.length - 1].node);
    else if (action === "reset") draw(true);
    else if (action === "png") savePng();
  });
  draw(true);
})();
