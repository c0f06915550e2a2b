// Typeset the math that pymdownx.arithmatex marks (class "arithmatex": \( ... \) inline,
// \[ ... \] display) with the KaTeX served from this site. Errors are shown in place
// (class "katex-error"), never thrown: the browser test looks for them.
(function () {
  function typeset(root) {
    root.querySelectorAll(".arithmatex").forEach(function (element) {
      if (element.dataset.typeset === "yes") return;
      var text = element.textContent.trim();
      var display = element.tagName === "DIV";
      if (text.startsWith("\\(") || text.startsWith("\\[")) text = text.slice(2, -2);
      katex.render(text, element, { displayMode: display, throwOnError: false });
      element.dataset.typeset = "yes";
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { typeset(document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  }
})();
