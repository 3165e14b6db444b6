/* Témoin — the map: offline basemap from the installed boundaries (no tiles, no CDN),
   clustered points for events located to a commune or better, dashed circles for events known
   only at cercle or region level (never a pin on a village), colour by act type or perpetrator. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                 "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#666666"];
  var map = L.map(el, {zoomControl: true, attributionControl: true, preferCanvas: true,
                       minZoom: 4, maxZoom: 12, zoomSnap: 0.25}).setView([17.5, -4], 5);
  map.attributionControl.setPrefix("Leaflet");
  function get(url) { return fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }); }
  get(el.getAttribute("data-regions")).then(function (gj) {
    var regions = L.geoJSON(gj, {style: {color: "#555", weight: 1.5, fillColor: "#f4f1e8",
                                         fillOpacity: 1}, interactive: false}).addTo(map);
    if (gj.features.length) { map.fitBounds(regions.getBounds(), {padding: [10, 10]}); }
    if (gj.attribution) { map.attributionControl.addAttribution(gj.attribution); }
    return get(el.getAttribute("data-cercles"));
  }).then(function (gj) {
    L.geoJSON(gj, {style: {color: "#999", weight: 0.6, fill: false}, interactive: false}).addTo(map);
    return get(el.getAttribute("data-points"));
  }).then(draw);

  function draw(data) {
    var colours = {}, n = 0;
    function colour(key) {
      if (!(key in colours)) { colours[key] = PALETTE[n % PALETTE.length]; n += 1; }
      return colours[key];
    }
    var cluster = L.markerClusterGroup ?
      L.markerClusterGroup({maxClusterRadius: 40, showCoverageOnHover: false}) : L.layerGroup();
    var base = el.getAttribute("data-event-url");
    var markers = data.points.map(function (p) {
      var category = data.categories[p[3]] || "?";
      var m = L.circleMarker([p[1], p[2]], {radius: 6, weight: 1, color: "#222",
        fillColor: colour(category), fillOpacity: 0.9});
      m.bindPopup(function () {  // built on demand: thousands of points stay cheap
        var link = document.createElement("a");
        link.href = base + p[0] + "/";
        link.textContent = el.getAttribute("data-label-open");
        var box = document.createElement("div");
        box.appendChild(document.createTextNode((data.labels[category] || category) + " · " +
          data.precisions[p[4]] + " "));
        box.appendChild(link);
        return box;
      });
      return m;
    });
    if (cluster.addLayers) { cluster.addLayers(markers); } else { markers.forEach(function (m) { cluster.addLayer(m); }); }
    map.addLayer(cluster);
    data.areas.forEach(function (a) {
      var c = data.centres[a.level + ":" + a.name];
      if (!c) { return; }
      var r = a.level === "region" ? 60000 : 25000;
      L.circle(c, {radius: r, dashArray: "4 4", color: "#444", weight: 1, fillOpacity: 0.08})
        .bindTooltip(a.n + " " + el.getAttribute("data-label-events") + " — " + a.name + " (" +
          el.getAttribute("data-label-area") + " " + a.level + ")").addTo(map);
    });
    var legend = document.getElementById("legend");
    if (legend) {
      legend.textContent = "";
      Object.keys(colours).forEach(function (k) {
        var item = document.createElement("span");
        var swatch = document.createElement("i");
        swatch.className = "swatch";
        swatch.setAttribute("data-colour", colours[k]);
        swatch.style.backgroundColor = colours[k];  /* CSSOM, allowed by the CSP */
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(data.labels[k] || k));
        legend.appendChild(item);
      });
      var note = document.createElement("small");
      note.textContent = data.points.length + " " + el.getAttribute("data-label-shown") + " " + data.points_total;
      legend.appendChild(note);
    }
    el.setAttribute("data-ready", String(data.points.length));
  }
})();
