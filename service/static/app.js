// The search box of every page: suggestions from /api/entities as you type, in English or
// Chinese, following the ARIA combobox pattern (arrow keys move, Enter picks, Escape closes).
// data-autocomplete="go" opens the picked entity's page; "fill" puts its id in the box.
"use strict";

(function () {
  const DELAY = 150; // ms after the last key before asking the server
  const SHOWN = 8;

  function combobox(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    const mode = input.dataset.autocomplete;
    let items = [];
    let active = -1;
    let timer = null;
    let asked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      Array.from(list.children).forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(item) {
      close();
      if (mode === "go") {
        window.location.href = input.dataset.pages.replace("__ID__", encodeURIComponent(item.id));
      } else {
        input.value = item.id;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function show(found) {
      items = found;
      list.replaceChildren(...found.map((item, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const en = document.createElement("span");
        en.textContent = item.label_en || item.id;
        li.append(en);
        if (item.label_zh) {
          const zh = document.createElement("span");
          zh.lang = "zh";
          zh.textContent = item.label_zh;
          li.append(zh);
        }
        const meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = [item.types.join(", "), item.id].filter(Boolean).join(" · ");
        li.append(meta);
        li.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus
        li.addEventListener("click", () => pick(item));
        return li;
      }));
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", String(found.length > 0));
      highlight(-1);
    }

    async function ask(text) {
      asked = text;
      const url = `${input.dataset.api}?limit=${SHOWN}&q=${encodeURIComponent(text)}`;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok || asked !== text) return;
        show((await response.json()).data);
      } catch (error) {
        close(); // the box still submits to the search page
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (!text) {
        asked = "";
        close();
        return;
      }
      timer = setTimeout(() => ask(text), DELAY);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        pick(items[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(combobox);
})();
