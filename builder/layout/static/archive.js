/* docs-builder archived pages: the version picker lists the site's current versions, read at run
   time from /versions.json (written by every build), so an archive never has to be rebuilt when
   releases come and go. Without JavaScript (or without the file) the picker keeps its plain link
   to the current version. Every text comes from JSON and is set as text, never as HTML. */
(function () {
  "use strict";
  var picker = document.querySelector("details.archive-picker");
  if (!picker || !window.fetch) return;
  var menu = picker.querySelector(".picker-menu");
  var lang = picker.getAttribute("data-lang");
  var path = picker.getAttribute("data-path");
  var here = picker.getAttribute("data-version");
  var archivedLabel = picker.getAttribute("data-archived-label") || "archived";

  function url(segment) {
    var parts = ["", lang];
    if (segment) parts.push(segment);
    if (path) parts.push(path);
    return parts.join("/");
  }

  function item(id, title, href, current, note) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = href;
    a.setAttribute("hreflang", lang);
    a.setAttribute("data-version", id);
    a.textContent = note ? title + " (" + note + ")" : title;
    if (current) a.setAttribute("aria-current", "true");
    li.appendChild(a);
    return li;
  }

  fetch(picker.getAttribute("data-versions"), { credentials: "same-origin" })
    .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
    .then(function (doc) {
      if (!doc || doc.format !== 1 || !Array.isArray(doc.versions)) return;
      var items = [];
      doc.versions.forEach(function (v) {
        if (typeof v.id === "string" && typeof v.title === "string" && typeof v.segment === "string" && v.id !== here)
          items.push(item(v.id, v.title, url(v.segment), false, ""));
      });
      (Array.isArray(doc.archived) ? doc.archived : []).forEach(function (v) {
        if (typeof v.id !== "string" || typeof v.title !== "string" || typeof v.segment !== "string") return;
        if (v.id !== here && Array.isArray(v.languages) && v.languages.indexOf(lang) < 0) return;
        items.push(item(v.id, v.title, url(v.segment), v.id === here, archivedLabel));
      });
      if (!items.some(function (li) { return li.firstChild.getAttribute("data-version") === here; }))
        items.push(item(here, picker.getAttribute("data-title") || here, location.pathname, true, archivedLabel));
      if (items.length < 2) return;
      while (menu.firstChild) menu.removeChild(menu.firstChild);
      items.forEach(function (li) { menu.appendChild(li); });
      picker.setAttribute("data-loaded", "true");
    })
    .catch(function () { /* keep the plain link to the current version */ });
})();
