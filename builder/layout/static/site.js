/* docs-builder reader UI: theme, copy buttons, menus, pickers and search. No dependencies.
   Every feature is an enhancement: without JavaScript the page, its sidebar and its pickers work. */
(function () {
  "use strict";
  var root = document.documentElement;
  var THEME_KEY = "docs-theme";

  function announce(text) {
    var live = document.getElementById("live-region");
    if (!live) return;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  }

  /* Theme: "auto" follows the system until the reader picks one; the choice is remembered. */
  function systemDark() {
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function effectiveTheme() {
    var mode = root.getAttribute("data-color-mode");
    if (mode === "light" || mode === "dark") return mode;
    return systemDark() ? "dark" : "light";
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
      try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* storage disabled: this page only */ }
      syncToggle();
    });
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      if (mq.addEventListener) mq.addEventListener("change", syncToggle);
    }
    // Another tab changed the theme.
    window.addEventListener("storage", function (event) {
      if (event.key === THEME_KEY && (event.newValue === "light" || event.newValue === "dark")) {
        root.setAttribute("data-color-mode", event.newValue);
        syncToggle();
      }
    });
  }

  /* Copy buttons on code blocks. */
  function setupCopy() {
    var live = document.getElementById("live-region");
    var copiedText = (live && live.getAttribute("data-copied")) || "Copied";
    document.querySelectorAll(".copy-button").forEach(function (button) {
      button.addEventListener("click", function () {
        var block = button.closest(".code-example");
        var code = block && block.querySelector("pre code");
        if (!code) return;
        var text = code.textContent.replace(/\n$/, "");
        var done = function () {
          button.classList.add("copied");
          announce(copiedText);
          clearTimeout(button._copyTimer);
          button._copyTimer = setTimeout(function () { button.classList.remove("copied"); }, 2000);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () { if (fallbackCopy(text)) done(); });
        } else if (fallbackCopy(text)) {
          done();
        }
      });
    });
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  /* Wide code blocks and tables scroll sideways: keyboard users must be able to reach them. */
  function setupScrollables() {
    document.querySelectorAll(".markdown-body pre, .markdown-body .table-wrap").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
  }

  /* Sidebar (a menu on small screens) and the version and language pickers. */
  function setupMenus() {
    var menu = document.querySelector(".menu-button");
    var sidebar = document.getElementById("sidebar");

    function setMenu(open, focusBack) {
      if (!menu || !sidebar) return;
      sidebar.classList.toggle("open", open);
      document.body.classList.toggle("nav-open", open);
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var target = sidebar.querySelector('[aria-current="page"]') || sidebar.querySelector("a");
        if (target) target.focus();
      } else if (focusBack) {
        menu.focus();
      }
    }

    if (menu && sidebar) {
      menu.addEventListener("click", function () { setMenu(!sidebar.classList.contains("open"), false); });
      document.addEventListener("click", function (event) {
        if (sidebar.classList.contains("open") && !sidebar.contains(event.target) && !menu.contains(event.target)) setMenu(false, false);
      });
      var wide = window.matchMedia && window.matchMedia("(min-width: 1012px)");
      if (wide && wide.addEventListener) wide.addEventListener("change", function () { if (wide.matches) setMenu(false, false); });
    }

    var pickers = Array.prototype.slice.call(document.querySelectorAll("details.picker"));
    pickers.forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (!d.open) return;
        pickers.forEach(function (other) { if (other !== d) other.removeAttribute("open"); });
        var current = d.querySelector('.picker-menu a[aria-current]') || d.querySelector(".picker-menu a");
        if (current && d.matches(":focus-within")) current.focus();
      });
      d.addEventListener("keydown", function (event) {
        if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
        var links = Array.prototype.slice.call(d.querySelectorAll(".picker-menu a"));
        if (!d.open || !links.length) return;
        event.preventDefault();
        var i = links.indexOf(document.activeElement);
        i = event.key === "ArrowDown" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
        links[i].focus();
      });
    });
    document.addEventListener("click", function (event) {
      pickers.forEach(function (d) { if (!d.contains(event.target)) d.removeAttribute("open"); });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      pickers.forEach(function (d) {
        if (d.open) {
          d.removeAttribute("open");
          if (d.contains(document.activeElement)) d.querySelector("summary").focus();
        }
      });
      if (sidebar && sidebar.classList.contains("open")) setMenu(false, true);
    });
    // Keep the reader's place (#section) when switching version or language.
    document.querySelectorAll(".picker-menu a").forEach(function (link) {
      link.addEventListener("click", function () {
        if (location.hash && link.getAttribute("href").indexOf("#") < 0) link.href = link.getAttribute("href") + location.hash;
      });
    });

    // Show the current page in a long sidebar without scrolling the page itself.
    var current = sidebar && sidebar.querySelector('[aria-current="page"]');
    if (current && sidebar.clientHeight && sidebar.scrollHeight > sidebar.clientHeight) {
      var top = current.offsetTop - sidebar.offsetTop;
      if (top > sidebar.clientHeight - 80) sidebar.scrollTop = top - sidebar.clientHeight / 3;
    }
  }

  /* "In this article": mark the section being read (shown beside the article on wide screens). */
  function setupMiniToc() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".mini-toc a[href^='#']"));
    if (!links.length) return;
    var pairs = [];
    links.forEach(function (a) {
      var h = document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
      if (h) pairs.push([h, a]);
    });
    if (!pairs.length) return;
    var queued = false;
    function mark() {
      queued = false;
      var active = pairs[0][1];
      var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      for (var i = 1; i < pairs.length; i++) {
        if (pairs[i][0].getBoundingClientRect().top < window.innerHeight * 0.3) active = pairs[i][1];
      }
      if (atEnd && window.scrollY > 0) active = pairs[pairs.length - 1][1];
      links.forEach(function (a) { a.classList.toggle("active", a === active); });
    }
    window.addEventListener("scroll", function () {
      if (!queued) { queued = true; window.requestAnimationFrame(mark); }
    }, { passive: true });
    mark();
  }

  /* Search: this version's Pagefind bundle; Pagefind picks the index of this page's <html lang>. */
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
        pagefind.catch(function () { pagefind = null; });
      }
      return pagefind;
    }

    function results() { return Array.prototype.slice.call(box.querySelectorAll("a.search-result")); }

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
      if (box.hidden || !results().length) show([message(input.getAttribute("data-loading"))]);
      load().then(function (pf) { return pf.search(query); }).then(function (found) {
        return Promise.all(found.results.slice(0, 10).map(function (r) { return r.data(); }));
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
      timer = setTimeout(run, 120);
    });
    input.addEventListener("focus", function () { load(); });
    input.addEventListener("click", function () {
      if (box.childNodes.length && input.value.trim()) box.hidden = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = results()[0];
      if (first) location.href = first.href;
    });
    form.addEventListener("keydown", function (event) {
      var links = results();
      var i = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        box.hidden = false;
        links[Math.min(i + 1, links.length - 1)].focus();
      } else if (event.key === "ArrowUp" && i >= 0) {
        event.preventDefault();
        if (i === 0) input.focus(); else links[i - 1].focus();
      } else if (event.key === "Escape") {
        if (!box.hidden) { box.hidden = true; input.focus(); }
        else if (document.activeElement === input) { input.value = ""; show([]); }
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) box.hidden = true;
    });
    // "/" focuses the search box, as on GitHub.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var t = event.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  function start() {
    setupTheme();
    setupCopy();
    setupScrollables();
    setupMenus();
    setupMiniToc();
    setupSearch();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
