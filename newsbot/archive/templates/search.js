(function () {
  "use strict";
  // The index comes from assets/search-index.js (a script, so file:// pages can load it too).
  var data = window.NEWSBOT_SEARCH || { entries: [] };
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var status = document.getElementById("search-status");
  var LIMIT = 50;

  function norm(text) {
    return String(text || "").normalize("NFKC").toLowerCase();
  }

  // One lower-cased haystack per entry: a Chinese query is a substring, an English one too,
  // whatever its case; several words must all occur.
  var rows = data.entries.map(function (e) {
    var fields = [e.title, e.summary, (e.tags || []).join(" "), e.source, e.source_name, (e.companies || []).join(" ")];
    return { entry: e, hay: norm(fields.join("\n")) };
  });

  function search(query) {
    var terms = norm(query).split(/\s+/).filter(Boolean);
    if (!terms.length) { return null; }
    return rows.filter(function (row) {
      return terms.every(function (t) { return row.hay.indexOf(t) !== -1; });
    }).map(function (row) { return row.entry; });
  }

  function text(tag, className, value) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    el.textContent = value;
    return el;
  }

  function show(query) {
    var hits = search(query);
    results.replaceChildren();
    if (hits === null) { status.textContent = ""; return; }
    status.textContent = hits.length ? "找到 " + hits.length + " 条" + (hits.length > LIMIT ? "，显示前 " + LIMIT + " 条" : "") : "没有找到匹配的条目";
    hits.slice(0, LIMIT).forEach(function (e) {
      var li = document.createElement("li");
      li.className = "hit";
      var link = text("a", "hit-title", e.title || e.summary);
      link.href = e.page;
      li.appendChild(link);
      li.appendChild(text("p", "hit-meta", e.date + " · " + e.source_name + (e.tags && e.tags.length ? " · " + e.tags.join("、") : "")));
      li.appendChild(text("p", "hit-summary", e.summary));
      results.appendChild(li);
    });
  }

  input.addEventListener("input", function () { show(input.value); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; }
  show(input.value);
})();
