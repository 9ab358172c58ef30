/* Tool and platform pickers (builder/layout/pickers.py). Loaded right after the pickers, before
   the article's text is parsed, so the chosen variant is the only one ever painted.

   Each picker offers the variants its page has. The choice is, in order: the URL's ?tool= or
   ?platform=, the reader's last choice (localStorage, kept across pages), the page's default
   (data-default), for platforms the reader's system, else the first offered. It is set on
   <html> as data-tool / data-platform; style.css then hides the other variants on screen only
   (print and readers without JavaScript see every variant). */
(function () {
  "use strict";
  var root = document.documentElement;
  var STORAGE = { tool: "docs-tool", platform: "docs-platform" };
  var pickers = Array.prototype.slice.call(document.querySelectorAll(".variant-picker"));

  function stored(kind) {
    try { return localStorage.getItem(STORAGE[kind]); } catch (e) { return null; }
  }

  function remember(kind, value) {
    try { localStorage.setItem(STORAGE[kind], value); } catch (e) { /* storage disabled: this page only */ }
  }

  function fromQuery(kind) {
    var m = new RegExp("[?&]" + kind + "=([a-z_]+)").exec(window.location.search);
    return m ? m[1] : null;
  }

  /* The reader's operating system, as a platform name ("" when unknown): from the client
     hints when the browser gives them, else from the user agent string, else navigator.platform. */
  function systemPlatform() {
    var hints = navigator.userAgentData;
    var sources = [hints && hints.platform, navigator.userAgent, navigator.platform];
    for (var i = 0; i < sources.length; i++) {
      var text = (sources[i] || "").toLowerCase();
      if (/mac|iphone|ipad|ipod|ios/.test(text)) return "mac";
      if (/win/.test(text)) return "windows";
      if (/linux|x11|cros|chrome os|android/.test(text)) return "linux";
    }
    return "";
  }

  function buttons(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("button[data-value]"));
  }

  function offered(picker) {
    return buttons(picker).map(function (b) { return b.getAttribute("data-value"); });
  }

  function show(picker, value) {
    var kind = picker.getAttribute("data-kind");
    root.setAttribute("data-" + kind, value);
    buttons(picker).forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-value") === value ? "true" : "false");
    });
  }

  function initial(picker) {
    var kind = picker.getAttribute("data-kind");
    var values = offered(picker);
    var candidates = [fromQuery(kind), stored(kind), picker.getAttribute("data-default"),
                      kind === "platform" ? systemPlatform() : "", values[0]];
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i] && values.indexOf(candidates[i]) !== -1) return candidates[i];
    }
    return values[0];
  }

  pickers.forEach(function (picker) {
    var kind = picker.getAttribute("data-kind");
    show(picker, initial(picker));
    picker.hidden = false;
    picker.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button[data-value]") : null;
      if (!button) return;
      var value = button.getAttribute("data-value");
      show(picker, value);
      remember(kind, value);
    });
    /* Arrow keys, Home and End move between the options of a picker. */
    picker.addEventListener("keydown", function (event) {
      var list = buttons(picker);
      var at = list.indexOf(document.activeElement);
      if (at === -1) return;
      var rtl = getComputedStyle(picker).direction === "rtl";
      var next = null;
      if (event.key === (rtl ? "ArrowLeft" : "ArrowRight")) next = list[(at + 1) % list.length];
      else if (event.key === (rtl ? "ArrowRight" : "ArrowLeft")) next = list[(at - 1 + list.length) % list.length];
      else if (event.key === "Home") next = list[0];
      else if (event.key === "End") next = list[list.length - 1];
      if (next) { event.preventDefault(); next.focus(); }
    });
  });

  /* Once the article is there: name each variant (shown when printing), and when the URL's
     #fragment is inside a variant that is not shown, show that variant. */
  document.addEventListener("DOMContentLoaded", function () {
    pickers.forEach(function (picker) {
      buttons(picker).forEach(function (b) {
        var blocks = document.querySelectorAll(".article-body .ghd-tool." + b.getAttribute("data-value"));
        Array.prototype.forEach.call(blocks, function (el) { el.setAttribute("data-variant", b.textContent); });
      });
    });
    var target = null;
    try { target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1))); } catch (e) { /* a malformed fragment */ }
    var hidden = target && !target.getClientRects().length;
    for (var el = hidden ? target : null; el && el !== document.body; el = el.parentElement) {
      if (!el.classList.contains("ghd-tool")) continue;
      pickers.forEach(function (picker) {
        var values = offered(picker);
        for (var i = 0; i < el.classList.length; i++) {
          if (values.indexOf(el.classList[i]) !== -1) show(picker, el.classList[i]);
        }
      });
    }
    if (hidden && target.getClientRects().length) target.scrollIntoView();
  });
})();
