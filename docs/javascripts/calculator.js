// The calculator view: a switch above every worked calculation (class "walkthrough")
// between the full-precision numbers the vectors hold and the same numbers rounded to
// 5 significant digits, as on paper. The full text is kept and put back unchanged.
// On the Learn pages the links to the spec's equations are hidden until the reader asks
// for them (a third button): a beginner needs the numbers, a porter the equation numbers.
(function () {
  var NUMBER = /-?\d+\.\d+(?:e[+-]?\d+)?|-?\d+e[+-]?\d+/g;
  function round(text) {
    var value = Number(text);
    if (!isFinite(value)) return text;
    if (value === 0) return text;
    return String(Number(value.toPrecision(5)));
  }
  function setView(block, calculator) {
    block.querySelectorAll(".wt-line code").forEach(function (code) {
      if (code.dataset.full === undefined) code.dataset.full = code.textContent;
      code.textContent = calculator ? code.dataset.full.replace(NUMBER, round) : code.dataset.full;
    });
    block.previousElementSibling.querySelectorAll("button[data-view]").forEach(function (button) {
      button.setAttribute("aria-pressed", String((button.dataset.view === "calculator") === calculator));
    });
  }
  function add(root) {
    root.querySelectorAll(".walkthrough").forEach(function (block) {
      if (block.dataset.calculator) return;
      block.dataset.calculator = "yes";
      var bar = document.createElement("div");
      bar.className = "calculator-switch";
      [["full", "full precision"], ["calculator", "calculator view (5 digits)"]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.dataset.view = pair[0];
        button.textContent = pair[1];
        button.setAttribute("aria-pressed", String(pair[0] === "full"));
        button.addEventListener("click", function () { setView(block, pair[0] === "calculator"); });
        bar.appendChild(button);
      });
      if (block.querySelector(".wt-ref")) {
        var refs = document.createElement("button");
        refs.type = "button";
        refs.className = "refs";
        var learn = /\/learn\//.test(location.pathname);
        if (learn) block.classList.add("hide-refs");
        refs.textContent = "spec equation numbers";
        refs.setAttribute("aria-pressed", String(!learn));
        refs.addEventListener("click", function () {
          var hidden = block.classList.toggle("hide-refs");
          refs.setAttribute("aria-pressed", String(!hidden));
        });
        bar.appendChild(refs);
      }
      block.parentNode.insertBefore(bar, block);
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { add(document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { add(document.body); });
  }
})();
