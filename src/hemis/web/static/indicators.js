/* Charts of the indicator pages. Each <canvas data-chart="{...}"> carries its Chart.js config
   (type, labels, datasets) as JSON written by the server; nothing inline (strict CSP). */
(function () {
  "use strict";
  var PALETTE = ["#0b4f8a", "#c8102e", "#2a9d8f", "#f0a500", "#6a4c93", "#55606e", "#8ab17d",
    "#e76f51", "#264653", "#a8dadc"];
  var STATUS = { pass: "#2a9d8f", fail: "#c8102e", unknown: "#9aa5b1", na: "#f0a500" };

  function colourise(config) {
    var sets = config.data.datasets || [];
    sets.forEach(function (set, i) {
      var colour = set.status ? STATUS[set.status] : PALETTE[i % PALETTE.length];
      if (config.type === "doughnut" || config.type === "pie") {
        set.backgroundColor = set.data.map(function (_, j) { return PALETTE[j % PALETTE.length]; });
      } else {
        set.backgroundColor = set.backgroundColor || colour;
        set.borderColor = set.borderColor || colour;
      }
    });
    return config;
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var spec = JSON.parse(canvas.dataset.chart);
      var config = colourise({
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: Object.assign({
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: spec.datasets.length > 1 || spec.type === "doughnut" } },
          scales: spec.type === "doughnut" ? {} : {
            x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true }
          }
        }, spec.horizontal ? { indexAxis: "y" } : {})
      });
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();
