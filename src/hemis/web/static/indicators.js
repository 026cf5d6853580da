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

  // Numbers as the page's reader writes them: "13.029", "24,75" in Vietnamese.
  var LOCALE = document.documentElement.lang === "en" ? "en-US" : "vi-VN";
  function fmt(n) {
    return typeof n === "number" ? n.toLocaleString(LOCALE, { maximumFractionDigits: 2 }) : n;
  }

  // A doughnut shows each slice's value and share on the slice itself (no hovering needed).
  var sliceValues = {
    id: "hemisSliceValues",
    afterDatasetsDraw: function (chart) {
      if (chart.config.type !== "doughnut") { return; }
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (set, i) {
        var total = set.data.reduce(function (a, b) { return a + (b || 0); }, 0);
        chart.getDatasetMeta(i).data.forEach(function (arc, j) {
          var value = set.data[j];
          if (!value || !total || value / total < 0.04) { return; }
          var at = arc.tooltipPosition();
          var share = (100 * value / total).toLocaleString(LOCALE, { maximumFractionDigits: 1 });
          ctx.save();
          ctx.fillStyle = "#fff";
          ctx.font = "600 12px " + getComputedStyle(document.body).fontFamily;
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          ctx.fillText(fmt(value), at.x, at.y - 7);
          ctx.fillText(share + (LOCALE === "vi-VN" ? " %" : "%"), at.x, at.y + 8);
          ctx.restore();
        });
      });
    }
  };

  function draw(root) {
    if (typeof window.Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var spec = JSON.parse(canvas.dataset.chart);
      var config = colourise({
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        plugins: [sliceValues],
        options: Object.assign({
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          locale: LOCALE,
          plugins: {
            legend: { display: spec.datasets.length > 1 || spec.type === "doughnut" },
            tooltip: {
              callbacks: {
                // the full name of a shortened category (the compliance criteria)
                title: function (items) {
                  var k = items.length ? items[0].dataIndex : -1;
                  return spec.titles && k >= 0 ? spec.titles[k] : (items.length ? items[0].label : "");
                }
              }
            }
          },
          scales: spec.type === "doughnut" ? {} : {
            x: { stacked: !!spec.stacked, ticks: { autoSkip: !spec.horizontal } },
            y: { stacked: !!spec.stacked, beginAtZero: true, ticks: { autoSkip: !spec.horizontal } }
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
