// The offline lesson page of pathways_sim: draws the precomputed run that the switches select.
// Plain JavaScript, no library and no network: everything it shows is in the lesson-data element.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("lesson-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var BLUE = "#1f5fa8", GREY = "#888888", QUINTILE_COLOURS = ["#7b3294", "#c2a5cf", "#bbbbbb", "#a6dba0", "#008837"];

  function el(tag, attrs, parent, text) {
    var node = document.createElementNS(NS, tag);
    for (var name in attrs) { node.setAttribute(name, attrs[name]); }
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function fmt(x) { return (Math.round(x * 10) / 10).toFixed(1); }
  function ticks(low, high, count) {
    var step = Math.pow(10, Math.floor(Math.log10((high - low) / count || 1)));
    [1, 2, 5, 10].some(function (m) { if ((high - low) / (step * m) <= count) { step = step * m; return true; } return false; });
    var out = [];
    for (var t = Math.ceil(low / step) * step; t <= high + 1e-9; t += step) { out.push(Math.round(t * 1000) / 1000); }
    return out;
  }

  // Switches: one per loop (checked = on), and the offer if the lesson has one.
  var box = document.getElementById("switches");
  function addSwitch(id, text, checked) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox"; input.id = id; input.checked = checked;
    input.addEventListener("change", render);
    label.appendChild(input); label.appendChild(document.createTextNode(text));
    box.appendChild(label);
  }
  data.loops.forEach(function (loop) { addSwitch("loop-" + loop.name, loop.title + " loop on", true); });
  if (data.offer) {
    var coverage = data.offer.coverage === undefined ? "" : " (reaching " + Math.round(data.offer.coverage * 100) + "% of those offered)";
    addSwitch("offer", "Offer " + data.offer.kind.replace(/_/g, " ") + ", " +
      ((data.offer.targeting || {}).strategy || "universal") + coverage, false);
    document.getElementById("ref-offer").textContent = ", no offer";
  }
  function key() {
    var bits = data.loops.map(function (loop) { return document.getElementById("loop-" + loop.name).checked ? "1" : "0"; }).join("");
    return data.offer ? bits + (document.getElementById("offer").checked ? "1" : "0") : bits;
  }

  // Axes fixed across runs, so a switch moves the lines and bars, not the scale.
  var arms = Object.keys(data.arms).map(function (k) { return data.arms[k]; });
  var gapLow = Math.min(0, Math.min.apply(null, arms.map(function (a) { return Math.min.apply(null, a.gap); })));
  var gapHigh = Math.max.apply(null, arms.map(function (a) { return Math.max.apply(null, a.gap); })) * 1.1;
  var barHigh = {};
  data.panels.forEach(function (p) {
    barHigh[p.metric] = 1.1 * Math.max.apply(null, arms.map(function (a) { return Math.max.apply(null, a.bars[p.metric]); }));
  });

  function gapChart(arm, ref) {
    var svg = document.getElementById("gap-chart");
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var W = 700, H = 300, L = 60, R = 170, T = 15, B = 40;
    var years = arm.years, x0 = years[0], x1 = years[years.length - 1];
    function x(year) { return L + (W - L - R) * (year - x0) / Math.max(x1 - x0, 1); }
    function y(v) { return T + (H - T - B) * (1 - (v - gapLow) / (gapHigh - gapLow || 1)); }
    ticks(gapLow, gapHigh, 5).forEach(function (t) {
      el("line", {x1: L, x2: W - R, y1: y(t), y2: y(t), stroke: "#e5e5e5"}, svg);
      el("text", {x: L - 6, y: y(t) + 4, "text-anchor": "end", "font-size": 12}, svg, t);
    });
    ticks(x0, x1, 6).filter(function (t) { return t === Math.round(t); }).forEach(function (t) {
      el("text", {x: x(t), y: H - B + 18, "text-anchor": "middle", "font-size": 12}, svg, t);
    });
    el("line", {x1: L, x2: W - R, y1: y(0), y2: y(0), stroke: "#444"}, svg);
    el("text", {x: 14, y: T + (H - T - B) / 2, "font-size": 12, transform: "rotate(-90 14 " + (T + (H - T - B) / 2) + ")",
                "text-anchor": "middle"}, svg, "gap, " + data.unit.gap);
    function line(series, colour, width, dash) {
      var points = series.map(function (v, i) { return x(years[i]) + "," + y(v); }).join(" ");
      el("polyline", {points: points, fill: "none", stroke: colour, "stroke-width": width, "stroke-dasharray": dash}, svg);
    }
    line(ref.gap, GREY, 2, "6 4");
    line(arm.gap, BLUE, 3.5, "");
    // End labels, pushed apart when the two lines end close together.
    var yRef = y(ref.gap[ref.gap.length - 1]) + 4, yArm = y(arm.gap[arm.gap.length - 1]) + 4;
    if (Math.abs(yRef - yArm) < 15) { var mid = (yRef + yArm) / 2, up = yArm <= yRef ? -1 : 1; yArm = mid + up * 7.5; yRef = mid - up * 7.5; }
    el("text", {x: W - R + 8, y: yRef, "font-size": 12, fill: GREY}, svg, "every loop on" + (data.offer ? ", no offer" : "") + ", " + x1 + ": " + fmt(ref.gap[ref.gap.length - 1]));
    el("text", {x: W - R + 8, y: yArm, "font-size": 12, fill: BLUE, "font-weight": "bold"}, svg, "this run, " + x1 + ": " + fmt(arm.gap[arm.gap.length - 1]));
  }

  function barChart(panel, arm, ref) {
    var holder = document.createElement("div");
    holder.className = "chart";
    var title = document.createElement("h3");
    title.textContent = panel.label + " (" + panel.unit + ", mean of the last " + data.last_years + " years)";
    holder.appendChild(title);
    var W = 420, H = 220, L = 40, T = 10, B = 34;
    var svg = el("svg", {width: W, height: H, role: "img"}, holder);
    var high = barHigh[panel.metric] || 1;
    function y(v) { return T + (H - T - B) * (1 - v / high); }
    ticks(0, high, 4).forEach(function (t) {
      el("line", {x1: L, x2: W - 5, y1: y(t), y2: y(t), stroke: "#e5e5e5"}, svg);
      el("text", {x: L - 5, y: y(t) + 4, "text-anchor": "end", "font-size": 11}, svg, t);
    });
    var width = (W - L - 10) / 5;
    arm.bars[panel.metric].forEach(function (v, q) {
      var left = L + 5 + q * width;
      el("rect", {x: left + 6, y: y(v), width: width - 12, height: y(0) - y(v), fill: QUINTILE_COLOURS[q]}, svg);
      var r = ref.bars[panel.metric][q];
      el("line", {x1: left + 2, x2: left + width - 2, y1: y(r), y2: y(r), stroke: "#000", "stroke-width": 2.5}, svg);
      el("text", {x: left + width / 2, y: H - B + 15, "text-anchor": "middle", "font-size": 12}, svg, "Q" + (q + 1));
      el("text", {x: left + width / 2, y: Math.min(y(v), y(r)) - 4, "text-anchor": "middle", "font-size": 10.5}, svg, fmt(v));
    });
    el("text", {x: L + (W - L) / 2, y: H - 3, "text-anchor": "middle", "font-size": 11, fill: "#555"}, svg,
       "most deprived \u2190 fifth of areas \u2192 least deprived");
    return holder;
  }

  function reachTable(arm) {
    var boxNode = document.getElementById("reach-box"), table = document.getElementById("reach");
    boxNode.hidden = !arm.reach;
    if (!arm.reach) { return; }
    var rows = "<tr><th></th><th>Q1</th><th>Q2</th><th>Q3</th><th>Q4</th><th>Q5</th></tr>";
    ["offered", "reached"].forEach(function (what) {
      rows += "<tr><th>" + what + "</th>" + arm.reach[what].map(function (v) { return "<td>" + Math.round(v) + "</td>"; }).join("") + "</tr>";
    });
    table.innerHTML = rows;
  }

  function render() {
    var arm = data.arms[key()], ref = data.arms[data.reference];
    // The number shown is the mean of the last few years, as the bars are: one year of a few thousand people is noisy.
    function recent(series) { var tail = series.slice(-data.last_years); return tail.reduce(function (a, b) { return a + b; }, 0) / tail.length; }
    var first = arm.years[Math.max(arm.years.length - data.last_years, 0)], year = arm.years[arm.years.length - 1];
    document.getElementById("gap").innerHTML = "Gap in " + data.outcome_label.toLowerCase() +
      " between the most and the least deprived fifth of areas, " + first + "\u2013" + year + ": <strong id=\"gap-value\">" +
      fmt(recent(arm.gap)) + "</strong> " + data.unit.gap + " (every loop on" + (data.offer ? ", no offer" : "") + ": " +
      fmt(recent(ref.gap)) + ")";
    document.getElementById("gap-title").textContent = "The gap in " + data.outcome_label.toLowerCase() +
      " (most minus least deprived fifth of areas), year by year";
    gapChart(arm, ref);
    var bars = document.getElementById("bars");
    while (bars.firstChild) { bars.removeChild(bars.firstChild); }
    data.panels.forEach(function (panel) { bars.appendChild(barChart(panel, arm, ref)); });
    reachTable(arm);
    var diagrams = document.getElementById("diagrams");
    while (diagrams.firstChild) { diagrams.removeChild(diagrams.firstChild); }
    data.loops.forEach(function (loop) {
      var on = document.getElementById("loop-" + loop.name).checked;
      var img = document.createElement("img");
      img.src = data.diagrams[loop.name][on ? "on" : "off"];
      img.alt = loop.title + (on ? "" : " (switched off)");
      img.id = "diagram-" + loop.name;
      diagrams.appendChild(img);
    });
    document.body.setAttribute("data-run", arm.name);
  }

  document.getElementById("about").textContent = "Each combination of switches was run in advance: " +
    data.people.toLocaleString("en-GB") + " people in " + data.areas + " neighbourhoods for " + data.years +
    " years after " + data.burn_in + " years of settling in (all loops on), seed " + data.seed + ". Every run uses the same random numbers, so the " +
    "differences between them come from the switches, not from chance in who falls ill; differences of about a " +
    "point can still come from chance in so few people. Made by pathways_sim (pathways-sim lesson " + data.lesson + ").";
  render();
})();
