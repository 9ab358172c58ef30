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
      // headings of a tool or platform variant that is not shown do not count (pickers.js)
      var shown = pairs.filter(function (p) { return p[0].getClientRects().length > 0; });
      if (!shown.length) return;
      var active = shown[0][1];
      var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      for (var i = 1; i < shown.length; i++) {
        if (shown[i][0].getBoundingClientRect().top < window.innerHeight * 0.3) active = shown[i][1];
      }
      if (atEnd && window.scrollY > 0) active = shown[shown.length - 1][1];
      links.forEach(function (a) { a.classList.toggle("active", a === active); });
    }
    window.addEventListener("scroll", function () {
      if (!queued) { queued = true; window.requestAnimationFrame(mark); }
    }, { passive: true });
    mark();
  }

  /* Search: the Pagefind shards of this language (shards.json lists them), merged in the browser
     into one index of every version; a query is filtered to the version being read
     (data-search-version) and the version-neutral result URLs (/<lang>/path) are rewritten to
     it (data-search-prefix). Results are built as DOM nodes from text: nothing that comes
     from the index is parsed as HTML except the <mark> of an excerpt. */
  var PAGE_SIZE = 10;
  var SUBRESULTS = 3;

  function pluralText(forms, lang, n, query) {
    var text = forms;
    if (forms && typeof forms === "object") {
      var category = "other";
      try { category = new Intl.PluralRules(lang).select(n); } catch (e) { /* unknown locale */ }
      text = forms[category] || forms.other || "";
    }
    text = typeof text === "string" && text ? text : "{n}";
    return text.replace("{n}", n.toLocaleString(lang)).replace("{query}", query);
  }

  /* Pagefind escapes the page text of an excerpt and marks the hits with <mark>: keep the text
     and the marks, drop anything else (parsed in an inert document, never in this page). */
  function excerptNodes(html, target) {
    var doc = new DOMParser().parseFromString("<body>" + (html || "") + "</body>", "text/html");
    (function copy(from, to) {
      Array.prototype.forEach.call(from.childNodes, function (node) {
        if (node.nodeType === 3) {
          to.appendChild(document.createTextNode(node.nodeValue));
        } else if (node.nodeType === 1 && node.tagName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = node.textContent;
          to.appendChild(mark);
        } else if (node.nodeType === 1) {
          copy(node, to);
        }
      });
    })(doc.body, target);
  }

  function setupSearch() {
    var form = document.querySelector("form.search");
    if (!form) return;
    var input = form.querySelector("input");
    var box = form.querySelector(".search-results");
    var indexUrl = form.getAttribute("data-search");
    var lang = form.getAttribute("data-lang") || root.lang || "en";
    var version = form.getAttribute("data-search-version") || "";
    var prefix = form.getAttribute("data-search-prefix") || "";
    var forms = null;
    try { forms = JSON.parse(input.getAttribute("data-count") || "null"); } catch (e) { forms = null; }
    var text = function (name) { return input.getAttribute("data-" + name) || ""; };
    var loaded = null;      // Promise of the merged Pagefind instance
    var loadedList = null;  // the shards.json text it was made from
    var checking = null;    // Promise: is shards.json still the one loaded?
    var modules = {};       // a shard's pagefind.js is set up once per page
    var timer = null;
    var serial = 0;
    var state = null;       // {query, results, shown, list, more}

    function Preparing() {}

    function fetchList() {
      return fetch(indexUrl, { cache: "no-cache" }).then(function (response) {
        if (response.status === 503) throw new Preparing();
        if (!response.ok) throw new Error("no search index at " + indexUrl);
        return response.text();
      });
    }

    function open(listText) {
      var shards = JSON.parse(listText).shards || [];
      if (!shards.length) return Promise.resolve(null);
      var first = shards[0];
      if (!modules[first]) {
        modules[first] = import(first + "pagefind.js").then(function (pf) {
          return pf.options({ baseUrl: "/" }).then(function () {
            return Promise.all(shards.slice(1).map(function (other) {
              return pf.mergeIndex(other, { baseUrl: "/" });
            }));
          }).then(function () { return pf; });
        });
        modules[first].catch(function () { delete modules[first]; });  // tried again by the next query
      }
      return modules[first];
    }

    function load() {
      if (checking) return checking.then(load);
      if (!loaded) {
        loaded = fetchList().then(function (listText) {
          loadedList = listText;
          return open(listText);
        });
        loaded.catch(function () { loaded = null; });
      }
      return loaded;
    }

    // The index may have been rebuilt since this page loaded (the dev server after an edit).
    function revalidate() {
      if (!loaded || !loadedList || checking) return;
      checking = fetchList().then(function (listText) {
        if (listText !== loadedList) { loaded = null; loadedList = null; }
      }, function () { /* keep what works */ }).then(function () { checking = null; });
    }

    function links() {
      return Array.prototype.slice.call(box.querySelectorAll("a.search-result, a.search-subresult, button.search-more"));
    }

    function show(nodes, query) {
      box.textContent = "";
      if (query) box.setAttribute("data-query", query); else box.removeAttribute("data-query");
      nodes.forEach(function (n) { box.appendChild(n); });
      box.hidden = nodes.length === 0;
    }

    function element(tag, className, content) {
      var el = document.createElement(tag);
      if (className) el.className = className;
      if (content !== undefined) el.textContent = content;
      return el;
    }

    function message(content) {
      return element("p", "search-message", content);
    }

    /* A record's URL is version-neutral, `/<lang>/path` (with `?v=<slug>` when the page's text
       differs between versions): the reader goes to the page in the version being read. */
    function localUrl(url) {
      url = String(url || "");
      var hash = url.indexOf("#");
      var fragment = hash < 0 ? "" : url.slice(hash);
      var path = hash < 0 ? url : url.slice(0, hash);
      var query = path.indexOf("?");
      if (query >= 0) path = path.slice(0, query);
      var base = "/" + lang;
      if (prefix && (path === base || path.indexOf(base + "/") === 0)) path = prefix + path.slice(base.length);
      return path + fragment;
    }

    function resultItem(item) {
      var li = element("li", "search-item");
      var a = element("a", "search-result");
      a.href = localUrl(item.url);
      var meta = item.meta || {};
      a.appendChild(element("span", "search-result-title", meta.title || localUrl(item.url)));
      if (meta.product) a.appendChild(element("span", "search-result-product", meta.product));
      var excerpt = element("span", "search-result-excerpt");
      excerptNodes(item.excerpt, excerpt);
      a.appendChild(excerpt);
      li.appendChild(a);
      var subs = (item.sub_results || []).filter(function (sub) {
        // a heading of the body, not the page itself or its title
        return sub.url && sub.url.indexOf("#") > 0 && sub.url.slice(-6) !== "#title" && sub.title
          && sub.title !== meta.title;
      }).slice(0, SUBRESULTS);
      if (subs.length) {
        var ul = element("ul", "search-subresults");
        subs.forEach(function (sub) {
          var sli = document.createElement("li");
          var sa = element("a", "search-subresult");
          sa.href = localUrl(sub.url);
          sa.appendChild(element("span", "search-subresult-title", sub.title));
          var sx = element("span", "search-result-excerpt");
          excerptNodes(sub.excerpt, sx);
          sa.appendChild(sx);
          sli.appendChild(sa);
          ul.appendChild(sli);
        });
        li.appendChild(ul);
      }
      return li;
    }

    /* Pagefind answers a word that is not in an index with the pages of its longest prefix that is
       ("whoami" finds "who"). Each shard decides alone, so a shard without the word would add
       pages that one index for the whole version would not. When some page has the word itself,
       the prefix-only pages are dropped: the results are those of one index. (Checked on the
       excerpts' <mark>s, so only up to CHECKED results; beyond, Pagefind's list is kept.) */
    var CHECKED = 100;

    function fold(word) {
      return word.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    }

    function marks(item) {
      var found = [];
      var collect = function (html) {
        var re = /<mark>([^<]*)<\/mark>/g, m;
        while ((m = re.exec(html || ""))) found.push(fold(m[1]));
      };
      collect(item.excerpt);
      (item.sub_results || []).forEach(function (sub) { collect(sub.excerpt); });
      return found;
    }

    // A marked word matches a search term itself (or a form of it), not only a shorter prefix.
    function direct(mark, term) {
      if (mark.indexOf(term) === 0) return true;
      var common = 0;
      while (common < mark.length && common < term.length && mark[common] === term[common]) common++;
      return common >= 4 && common >= Math.min(mark.length, term.length) - 3;
    }

    function withoutFallbacks(query, results) {
      var terms = fold(query).split(/\s+/).filter(function (t) { return t.length > 1; });
      if (!terms.length || !results.length || results.length > CHECKED) return results;
      return Promise.all(results.map(function (r) { return r.data(); })).then(function (items) {
        var isDirect = items.map(function (item) {
          var words = marks(item);
          return !words.length || words.some(function (w) { return terms.some(function (t) { return direct(w, t); }); });
        });
        if (isDirect.indexOf(true) < 0) return results;  // no page has the words: as one index would
        return results.filter(function (r, i) { return isDirect[i]; });
      });
    }

    function showMore(focusNew) {
      var st = state;
      var batch = st.results.slice(st.shown, st.shown + PAGE_SIZE);
      st.shown += batch.length;
      st.more.hidden = true;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
        if (st !== state) return;
        var firstNew = null;
        items.forEach(function (item) {
          var li = resultItem(item);
          st.list.appendChild(li);
          if (!firstNew) firstNew = li.querySelector("a");
        });
        st.more.hidden = st.shown >= st.results.length;
        if (focusNew && firstNew) firstNew.focus();
      });
    }

    function run() {
      var query = input.value.trim();
      var mine = ++serial;
      clearTimeout(timer);
      if (!query) { state = null; show([]); return; }
      if (box.hidden || !state) show([message(text("loading"))]);
      load().then(function (pf) {
        return pf ? pf.search(query, version ? { filters: { version: version } } : {}) : { results: [] };
      }).then(function (found) {
        return mine === serial ? withoutFallbacks(query, (found && found.results) || []) : [];
      }).then(function (results) {
        if (mine !== serial) return;
        if (!results.length) {
          state = null;
          show([message(text("no-results"))], query);
          announce(text("no-results"));
          return;
        }
        var count = pluralText(forms, lang, results.length, query);
        var button = element("button", "search-more", text("load-more"));
        button.type = "button";
        button.hidden = true;
        button.addEventListener("click", function () { showMore(true); });
        var current = state = { query: query, results: results, shown: 0, list: element("ul", "search-list"), more: button };
        return showMore(false).then(function () {
          if (current !== state) return;
          show([element("p", "search-count", count), current.list, current.more], query);
          announce(count);
        });
      }).catch(function (err) {
        if (mine !== serial) return;
        state = null;
        if (err instanceof Preparing) {
          show([message(text("preparing"))]);
          timer = setTimeout(function () { if (mine === serial) run(); }, 1000);
        } else {
          show([message(text("unavailable") || text("no-results"))]);
        }
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("focus", function () {
      if (loaded) revalidate(); else load().catch(function () { /* reported when searching */ });
    });
    input.addEventListener("click", function () {
      if (box.childNodes.length && input.value.trim()) box.hidden = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = box.querySelector("a.search-result");
      if (first) location.href = first.href;
    });
    form.addEventListener("keydown", function (event) {
      var items = links().filter(function (el) { return !el.hidden; });
      var i = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        box.hidden = false;
        items[Math.min(i + 1, items.length - 1)].focus();
      } else if (event.key === "ArrowUp" && i >= 0) {
        event.preventDefault();
        if (i === 0) input.focus(); else items[i - 1].focus();
      } else if (event.key === "Home" && i >= 0) {
        event.preventDefault();
        items[0].focus();
      } else if (event.key === "End" && i >= 0) {
        event.preventDefault();
        items[items.length - 1].focus();
      } else if (event.key === "Escape") {
        if (!box.hidden) { event.preventDefault(); box.hidden = true; input.focus(); }
        else if (document.activeElement === input) { input.value = ""; state = null; show([]); }
      }
    });
    // Leaving the search with Tab closes the results.
    form.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !form.contains(event.relatedTarget)) box.hidden = true;
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
