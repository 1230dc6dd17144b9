(function () {
  "use strict";
  var state = { region: "all", importance: { high: true, medium: true, low: true } };
  var chips = document.querySelectorAll(".chip[data-filter]");
  var entries = document.querySelectorAll(".entry");
  var sections = document.querySelectorAll("section.region");
  var counter = document.getElementById("visible-count");

  function apply() {
    var visible = 0;
    entries.forEach(function (el) {
      var show = (state.region === "all" || el.dataset.region === state.region) && state.importance[el.dataset.importance] === true;
      el.hidden = !show;
      if (show) { visible += 1; }
    });
    sections.forEach(function (sec) {
      sec.hidden = state.region !== "all" && sec.dataset.region !== state.region;
      // The heading's count and the empty note follow the filter, like the bar's total.
      var shown = sec.querySelectorAll(".entry:not([hidden])").length;
      var n = sec.querySelector("h2 .n");
      var total = Number(n.dataset.total);
      n.textContent = shown === total ? String(total) : shown + " / " + total;
      var note = sec.querySelector(".empty.filtered");
      if (note) { note.hidden = shown > 0; }
    });
    chips.forEach(function (chip) {
      var on = chip.dataset.filter === "region" ? chip.dataset.value === state.region : state.importance[chip.dataset.value] === true;
      chip.setAttribute("aria-pressed", on ? "true" : "false");
    });
    counter.textContent = String(visible);
  }

  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      if (chip.dataset.filter === "region") {
        state.region = chip.dataset.value;
      } else {
        state.importance[chip.dataset.value] = !state.importance[chip.dataset.value];
      }
      apply();
    });
  });
  apply();
})();
