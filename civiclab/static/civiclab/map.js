/* Maps as an enhancement. Pages carry typed coordinates that work without JavaScript; this script adds a
   button to pages that hold a map, and loads Leaflet (about 45 kB) only when it is pressed, so pages stay
   light for people on slow or paid-by-the-megabyte connections. It adds:
   - [data-map-picker]: a map to click or drag a marker on, which fills the latitude/longitude inputs
     inside it (and follows them when they are typed);
   - [data-map-point] (data-lat, data-lon, data-label): a map showing one point.
   The coordinates stay in the page as text, so the map is never the only way to read or give a place. */
(function () {
  "use strict";
  var script = document.currentScript;
  var pickers = document.querySelectorAll("[data-map-picker]");
  var points = document.querySelectorAll("[data-map-point]");
  if (!pickers.length && !points.length) return;

  var body = document.body.dataset;
  var centre = (body.mapCentre || "").split(",").map(Number);
  var hasCentre = centre.length === 2 && centre.every(isFinite);

  var loading = null, waiting = [];
  function load(done) {
    if (window.L) return done();
    waiting.push(done);
    if (loading) return;
    loading = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = script.dataset.leafletCss;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = script.dataset.leafletJs;
    js.onload = function () {
      // The marker images, named by the page (their static names carry a hash in production); an empty
      // imagePath stops Leaflet from guessing a folder and prefixing it.
      L.Icon.Default.imagePath = "";
      L.Icon.Default.mergeOptions({
        iconUrl: script.dataset.leafletIcon,
        iconRetinaUrl: script.dataset.leafletIcon2x,
        shadowUrl: script.dataset.leafletShadow,
      });
      waiting.splice(0).forEach(function (f) { f(); });
    };
    document.head.appendChild(js);
  }

  function button(el, label, init) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "map-button";
    b.textContent = label;
    b.addEventListener("click", function () {
      b.disabled = true;
      load(function () {
        b.remove();
        var map = init(el);
        if (map) map.getContainer().focus();  // where the pressed button was: keyboard users stay in place
      });
    });
    el.insertBefore(b, el.firstChild);
  }

  function makeMap(container, label) {
    var map = L.map(container, { scrollWheelZoom: false });
    if (body.mapTiles) {
      L.tileLayer(body.mapTiles, { maxZoom: 19, attribution: body.mapAttribution || "" }).addTo(map);
    }
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", label);
    return map;
  }

  function canvas(before, hint) {
    var div = document.createElement("div");
    div.className = "map-canvas";
    before.parentNode.insertBefore(div, before);
    if (hint) {
      var p = document.createElement("p");
      p.className = "hint";
      p.textContent = hint;
      before.parentNode.insertBefore(p, div);
    }
    return div;
  }

  function initPoint(el) {
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) return;
    var div = canvas(el.firstChild || el.appendChild(document.createTextNode("")));
    var map = makeMap(div, el.dataset.label || "Map");
    map.setView([lat, lon], 16);
    L.marker([lat, lon], { alt: el.dataset.label || "", keyboard: false }).addTo(map);
    return map;
  }

  function initPicker(el) {
    var latInput = el.querySelector("input[name$='latitude']");
    var lonInput = el.querySelector("input[name$='longitude']");
    if (!latInput || !lonInput) return;
    var div = canvas(el.firstChild, el.dataset.mapHint || "");
    var map = makeMap(div, el.dataset.mapLabel || "Map");
    var marker = null;

    function current() {
      var lat = parseFloat(latInput.value.replace(",", ".")), lon = parseFloat(lonInput.value.replace(",", "."));
      return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
    }
    function place(latlng, pan) {
      if (marker) marker.setLatLng(latlng);
      else {
        marker = L.marker(latlng, { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function () { fill(marker.getLatLng()); });
      }
      if (pan) map.panTo(latlng);
    }
    function fill(latlng) {
      latInput.value = latlng.lat.toFixed(5);
      lonInput.value = latlng.lng.toFixed(5);
    }
    var start = current();
    if (start) { map.setView(start, 16); place(start, false); }
    else if (hasCentre) map.setView(centre, 13);
    else map.setView([48, 10], 4);
    map.on("click", function (e) { fill(e.latlng); place(e.latlng, false); });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () { var p = current(); if (p) place(p, true); });
    });
    return map;
  }

  pickers.forEach(function (el) { button(el, el.dataset.mapButton || "Choose on a map", initPicker); });
  points.forEach(function (el) { button(el, el.dataset.mapButton || "Show on a map", initPoint); });
})();
