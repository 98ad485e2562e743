/* matchweek portal: countdowns to round deadlines, and the operator dashboard's charts.
   Served as a file (the portal's Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  function twoDigits(n) { return (n < 10 ? "0" : "") + n; }

  function describe(ms) {
    if (ms <= 0) { return null; }
    var s = Math.floor(ms / 1000);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = s % 60;
    return (h > 0 ? h + " h " : "") + twoDigits(m) + " min " + twoDigits(rest) + " s left";
  }

  var reloadScheduled = false;

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(at)) { return; }
      var text = describe(at - now);
      if (text === null) {
        el.textContent = "time is up";
        el.classList.add("expired");
        // When an offer's round closes, fetch the offers again: it has expired (or been answered).
        var offers = document.getElementById("offers");
        if (offers && !reloadScheduled && window.htmx) {
          reloadScheduled = true;
          setTimeout(function () {
            window.htmx.ajax("GET", "/applicant/offers", { target: "#offers", select: "#offers", swap: "outerHTML" });
            reloadScheduled = false;
          }, 3000);
        }
      } else {
        el.textContent = text;
      }
    });
  }

  function drawCharts(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-chart"));
      if (!target || target.getAttribute("data-drawn")) { return; }
      var figure = JSON.parse(block.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, { displaylogo: false, responsive: true });
      target.setAttribute("data-drawn", "1");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    drawCharts(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    tick();
    drawCharts(event.target);
  });
})();
