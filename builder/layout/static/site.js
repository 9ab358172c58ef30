/* docs-builder reader UI: theme, copy buttons, menus, pickers and search. No dependencies. */
(function () {
  "use strict";
  var root = document.documentElement;

  function effectiveTheme() {
    var mode = root.getAttribute("data-color-mode");
    if (mode === "light" || mode === "dark") return mode;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function syncToggle() {
    var button = document.querySelector(".theme-toggle");
    if (button) button.setAttribute("aria-pressed", effectiveTheme() === "dark" ? "true" : "false");
  }

  function setupTheme() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    syncToggle();
    button.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-color-mode", next);
      try { localStorage.setItem("docs-theme", next); } catch (e) { /* private mode */ }
      syncToggle();
    });
  }

  function setupCopy() {
    document.querySelectorAll(".copy-button").forEach(function (button) {
      button.addEventListener("click", function () {
        var block = button.closest(".code-example");
        var code = block && block.querySelector("pre code");
        if (!code) return;
        var text = code.textContent.replace(/\n$/, "");
        var done = function () {
          button.classList.add("copied");
          setTimeout(function () { button.classList.remove("copied"); }, 2000);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
        } else {
          fallbackCopy(text);
          done();
        }
      });
    });
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }

  function setupMenus() {
    var menu = document.querySelector(".menu-button");
    var sidebar = document.getElementById("sidebar");
    if (menu && sidebar) {
      menu.addEventListener("click", function () {
        var open = sidebar.classList.toggle("open");
        menu.setAttribute("aria-expanded", open ? "true" : "false");
      });
    } else if (menu) {
      menu.hidden = true;
    }
    var pickers = document.querySelectorAll("details.picker");
    document.addEventListener("click", function (event) {
      pickers.forEach(function (d) { if (!d.contains(event.target)) d.removeAttribute("open"); });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") pickers.forEach(function (d) { d.removeAttribute("open"); });
    });
    // Keep the reader's place (#section) when switching version or language.
    document.querySelectorAll(".picker-menu a").forEach(function (link) {
      link.addEventListener("click", function () {
        if (location.hash && link.getAttribute("href").indexOf("#") < 0) link.href = link.getAttribute("href") + location.hash;
      });
    });
    var current = sidebar && sidebar.querySelector('[aria-current="page"]');
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
  }

  function setupSearch() {
    var form = document.querySelector("form.search");
    if (!form) return;
    var input = form.querySelector("input");
    var box = form.querySelector(".search-results");
    var bundle = form.getAttribute("data-pagefind");
    var pagefind = null;
    var timer = null;
    var serial = 0;

    function load() {
      if (!pagefind) {
        pagefind = import(bundle + "pagefind.js").then(function (pf) {
          return pf.options({ baseUrl: "/" }).then(function () { return pf; });
        });
      }
      return pagefind;
    }

    function show(nodes) {
      box.textContent = "";
      nodes.forEach(function (n) { box.appendChild(n); });
      box.hidden = nodes.length === 0;
    }

    function message(text) {
      var p = document.createElement("p");
      p.className = "search-message";
      p.textContent = text;
      return p;
    }

    function run() {
      var query = input.value.trim();
      var mine = ++serial;
      if (!query) { show([]); return; }
      show([message(input.getAttribute("data-loading"))]);
      load().then(function (pf) { return pf.search(query); }).then(function (found) {
        return Promise.all(found.results.slice(0, 8).map(function (r) { return r.data(); }));
      }).then(function (items) {
        if (mine !== serial) return;
        if (!items.length) { show([message(input.getAttribute("data-no-results"))]); return; }
        var list = document.createElement("ul");
        items.forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = item.url;
          a.className = "search-result";
          var title = document.createElement("span");
          title.className = "search-result-title";
          title.textContent = (item.meta && item.meta.title) || item.url;
          var excerpt = document.createElement("span");
          excerpt.className = "search-result-excerpt";
          excerpt.innerHTML = item.excerpt; // Pagefind escapes the text and marks hits with <mark>
          a.appendChild(title);
          a.appendChild(excerpt);
          li.appendChild(a);
          list.appendChild(li);
        });
        show([list]);
      }).catch(function () {
        if (mine === serial) show([message(input.getAttribute("data-no-results"))]);
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { input.value = ""; show([]); }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) box.hidden = true;
    });
    input.addEventListener("focus", function () { if (box.childNodes.length) box.hidden = false; });
  }

  function start() {
    setupTheme();
    setupCopy();
    setupMenus();
    setupSearch();
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      if (mq.addEventListener) mq.addEventListener("change", syncToggle);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
