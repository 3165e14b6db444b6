/* Témoin — progressive enhancement of the event form (the form works without it):
   1. a draft of the form kept in this browser's localStorage, restored after an error or a
      dropped connection; fields marked data-nodraft (victims' names) are NEVER stored;
   2. place autocomplete from /lieux.json (known places and the gazetteer). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var key = "temoin-draft:" + form.getAttribute("data-draft");
  var storage = null;
  try { storage = window.localStorage; } catch (e) { storage = null; }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && !el.hasAttribute("data-nodraft")
        && el.type !== "hidden" && el.type !== "submit" && el.type !== "password";
    });
  }
  function save() {
    if (!storage) { return; }
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { (data[el.name] = data[el.name] || []).push(el.value); }
      } else { data[el.name] = el.value; }
    });
    data._saved = new Date().toISOString();
    storage.setItem(key, JSON.stringify(data));
  }
  function restore() {
    if (!storage) { return; }
    var raw = storage.getItem(key);
    if (!raw) { return; }
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    var restored = false;
    var filled = fields().some(function (el) {
      return el.type !== "checkbox" && el.type !== "radio" && el.tagName !== "SELECT" && el.value;
    });
    if (filled) { return; }  // the server re-rendered the input: it wins
    fields().forEach(function (el) {
      if (!(el.name in data)) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = (data[el.name] || []).indexOf(el.value) !== -1;
      } else if (data[el.name]) { el.value = data[el.name]; restored = true; }
    });
    var note = document.getElementById("draft-note");
    if (restored && note) { note.hidden = false; }
  }
  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  // A finished record clears the draft: the event page names the drafts it completes.

  var place = form.querySelector("[data-autocomplete=places]");
  var list = document.getElementById("places");
  var found = {};
  var timer = null;
  if (place && list && window.fetch) {
    place.addEventListener("input", function () {
      clearTimeout(timer);
      var q = place.value.trim();
      if (found[q]) { fill(found[q]); return; }
      if (q.length < 2) { return; }
      timer = setTimeout(function () {
        fetch("/lieux.json?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {places: []}; })
          .then(function (body) {
            list.textContent = "";
            body.places.forEach(function (p) {
              var opt = document.createElement("option");
              opt.value = p.place_name;
              opt.label = [p.admin2, p.admin1].filter(Boolean).join(", ");
              list.appendChild(opt);
              found[p.place_name] = p;
            });
          });
      }, 250);
    });
    place.addEventListener("change", function () { if (found[place.value]) { fill(found[place.value]); } });
  }
  function set(name, value) {
    var el = form.querySelector("[name=" + name + "]");
    if (el && value !== null && value !== undefined && value !== "" && !el.value) { el.value = value; }
  }
  function fill(p) {
    set("admin1", p.admin1); set("admin2", p.admin2);
    set("latitude", p.latitude); set("longitude", p.longitude);
    var precision = form.querySelector("[name=geo_precision]");
    if (precision && (precision.value === "unknown" || !precision.value)) { precision.value = p.geo_precision || "exact"; }
    save();
  }
})();
(function () {
  "use strict";
  var done = document.querySelector("[data-clear-draft]");
  if (done) {
    done.getAttribute("data-clear-draft").split(" ").forEach(function (path) {
      try { window.localStorage.removeItem("temoin-draft:" + path); } catch (e) { /* no storage */ }
    });
  }
})();
