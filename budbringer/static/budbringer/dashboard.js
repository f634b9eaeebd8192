// Draws the dashboard's charts from the JSON the page carries (no inline script: CSP).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var colours = ["#1f6f8b", "#e07a1f"];
  var common = { animation: false, responsive: true, maintainAspectRatio: false };

  function draw(id, type, labels, series, options) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: series.map(function (entry, index) {
          var colour = colours[index % colours.length];
          var dataset = { label: entry[0], data: entry[1], backgroundColor: colour, borderColor: colour };
          return Object.assign(dataset, entry[2] || {});
        }),
      },
      options: Object.assign({}, common, options || {}),
    });
  }

  // Whole weeks as a line; partial weeks (the first and the current one, usually) as hollow
  // points off the line, named in the legend, so that fewer days never read as a drop.
  draw("participation-chart", "line", data.participation.labels, [
    [data.series.participation, data.participation.complete],
    [data.series.partial, data.participation.partial, {
      showLine: false, pointStyle: "rectRot", pointRadius: 6, pointHoverRadius: 7,
      backgroundColor: "transparent", borderWidth: 2,
    }],
  ], { scales: { y: { min: 0, max: 100 } } });
  draw("networks-chart", "bar", data.networks.labels, [
    [data.series.shares, data.networks.shares],
    [data.series.unique_clicks, data.networks.unique_clicks],
  ]);
  draw("items-chart", "bar", data.items.labels, [
    [data.series.shares, data.items.shares],
    [data.series.unique_clicks, data.items.unique_clicks],
  ]);
})();
