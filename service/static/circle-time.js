// The "As of" slider of the circle explorer (static/circle.js): it steps through the days an
// edge drawn began or ended, and fades the edges that did not hold on the day chosen and the
// members they alone bring in, computed from each edge's since and until as /api/...?at=
// computes it on the server.
"use strict";

(function () {
  // The first day of a date as precise as its source (2025, 2025-02, 2025-02-16); "" for none.
  function startDay(date) {
    if (!date) return "";
    return date.length === 4 ? `${date}-01-01` : date.length === 7 ? `${date}-01` : date;
  }

  // The days an edge drawn begins or ends, in order, after the day before the first of them.
  function changeDays(cy) {
    const found = new Set();
    cy.edges().forEach((edge) => ["start", "end"].forEach((name) => {
      if (edge.data(name)) found.add(edge.data(name));
    }));
    const days = Array.from(found).sort();
    if (days.length) { // first, the day before anything drawn began or ended
      const before = new Date(`${days[0]}T00:00:00Z`);
      before.setUTCDate(before.getUTCDate() - 1);
      days.unshift(before.toISOString().slice(0, 10));
    }
    return days;
  }

  // The edges that held on the day (all of them for null), and the ids of the nodes they tie
  // to the centre.
  function heldOn(cy, centre, day) {
    const held = cy.edges().filter((edge) => !day || (
      (!edge.data("start") || edge.data("start") <= day) && (!edge.data("end") || day < edge.data("end"))));
    const reached = new Set([centre]);
    for (let frontier = [centre]; frontier.length;) {
      const next = [];
      for (const id of frontier) {
        held.filter((edge) => edge.data("source") === id || edge.data("target") === id).forEach((edge) => {
          const other = edge.data("source") === id ? edge.data("target") : edge.data("source");
          if (!reached.has(other)) {
            reached.add(other);
            next.push(other);
          }
        });
      }
      frontier = next;
    }
    return { held, reached };
  }

  // The slider of the explorer's form over the graph cy drawn around centre; say(text) reports
  // how many members held. It answers the day chosen (chosenDay) and takes new steps when the
  // edges drawn change (setDays).
  function asOfSlider(cy, form, centre, say) {
    const slider = form.elements.at;
    const sliderShown = document.getElementById("circle-date-shown");
    let days = []; // the days an edge drawn begins or ends, in order; the slider's end is today

    // The day the slider names, or null at its end (today: every edge drawn).
    function chosenDay() {
      const index = Number(slider.value);
      return index < days.length ? days[index] : null;
    }

    // The slider's steps: the day before the first change, then every day an edge drawn begins or
    // ends. Kept on the same day if it is still one of them, else at today.
    function setDays() {
      const before = chosenDay();
      days = changeDays(cy);
      slider.max = String(days.length);
      slider.value = String(before && days.includes(before) ? days.indexOf(before) : days.length);
      slider.closest(".as-of").hidden = days.length === 0;
      applyDay();
    }

    // Fade what did not hold on the chosen day: the edges, and the nodes no longer tied to the
    // centre through edges that held.
    function applyDay() {
      const day = chosenDay();
      sliderShown.textContent = day || "today";
      slider.setAttribute("aria-valuetext", day || "today");
      const { held, reached } = heldOn(cy, centre, day);
      cy.batch(() => {
        cy.elements().removeClass("faded");
        cy.edges().difference(held).addClass("faded");
        cy.nodes().filter((node) => !reached.has(node.id())).addClass("faded");
      });
      const graphml = form.querySelector('[data-action="graphml"]');
      graphml.setAttribute("href", graphml.getAttribute("href").replace(/&at=[^&]*/, "")
                           + (day ? `&at=${day}` : ""));
      if (day) say(`As of ${day}: ${reached.size - 1} of ${cy.nodes().length - 1} members held.`);
    }

    slider.addEventListener("input", applyDay);
    return { chosenDay, setDays };
  }

  window.aikgCircleTime = { startDay, asOfSlider };
})();
