// The household page (入户核查): the inspector marks each occupant, adds new ones, fills the
// safety checklist and takes photos; the visit is built here with a uuid key, previewed, then
// sent. With no signal it waits in localStorage (photos as downscaled JPEG data URLs) and is
// sent when the phone comes back online or the page is opened again. A resend is harmless: the
// server stores each visit key (and each photo key) once.
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("household-setup").textContent);
  var L = JSON.parse(document.getElementById("household-labels").textContent);
  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var KEY = "huying.patrol.visits";
  var CAP = 4 * 1000 * 1000; // characters: browsers give a site about 5 MB of localStorage
  var MAX_SIDE = 1600, QUALITY = 0.8; // a phone photo shrunk to ~200-400 KB
  var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  var preview = document.getElementById("visit-preview");
  var done = document.getElementById("visit-done");
  var queueBox = document.querySelector("[data-testid=visit-queue]");
  var crowd = form.querySelector("input[name=not_overcrowded]");
  var photos = []; // {key, data}
  var visitKey = uuid();
  var crowdTouched = false, sending = {}, current = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16)); // plain-http intranets have no randomUUID
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function show(node, message) { node.textContent = message || ""; node.hidden = !message; }
  function post(url, body) {
    var isForm = body instanceof FormData;
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: isForm ? body : JSON.stringify(body),
      headers: Object.assign(isForm ? {} : { "Content-Type": "application/json" }, headers)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) { return { status: r.status, data: data }; }
        throw { http: r.status, data: data }; // a refusal, not a lost signal
      });
    });
  }

  // --- occupants ------------------------------------------------------------------------------
  function cards() { return Array.prototype.slice.call(form.querySelectorAll(".occupant")); }
  function choose(card, outcome) {
    card.dataset.outcome = outcome;
    card.querySelectorAll(".choice").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.outcome === outcome));
    });
    card.querySelector(".fix").hidden = outcome !== "differs";
    show(card.querySelector(".field-error"), "");
    updateCrowd();
  }
  function checkId(card, input) {
    var out = card.querySelector(".id-result");
    var value = input.value.trim();
    delete card.dataset.idInvalid; delete card.dataset.found;
    if (!value) { out.textContent = ""; return; }
    out.className = "id-result"; out.textContent = L.checking;
    var body = { id_number: value };
    if (card.dataset.resident) { body.resident = Number(card.dataset.resident); }
    post(setup.id_check_api, body).then(function (res) {
      var d = res.data;
      out.textContent = "";
      if (!d.valid) {
        card.dataset.idInvalid = "1"; out.className = "id-result bad";
        d.findings.filter(function (f) { return f.severity === "error"; })
          .forEach(function (f) { out.appendChild(el("span", f.message)); });
        d.hints.forEach(function (h) { out.appendChild(el("strong", h)); });
        return;
      }
      out.className = "id-result ok";
      input.value = d.number;
      var p = d.resident;
      if (p && card.classList.contains("new")) {
        card.dataset.found = p.id;
        var name = card.querySelector("input[name=name]");
        if (!name.value.trim()) { name.value = p.name; }
        out.textContent = fill(L.id_found, { name: p.name, id: p.id_number });
      } else if (card.classList.contains("new")) {
        out.textContent = L.id_not_found;
      } else {
        out.textContent = L.id_ok;
      }
    }).catch(function (e) {
      out.className = "id-result";
      out.textContent = e && e.http ? (e.data.detail || L.failed) : L.id_check_failed;
    });
  }
  function wire(card) {
    card.querySelectorAll(".choice").forEach(function (b) {
      b.addEventListener("click", function () { choose(card, b.dataset.outcome); });
    });
    var id = card.querySelector("input[name=id_number]");
    id.addEventListener("change", function () { checkId(card, id); });
    id.addEventListener("input", function () {
      var n = id.value.replace(/\s/g, "").length;
      if (n === 18) { checkId(card, id); }
    });
    var remove = card.querySelector(".remove");
    if (remove) {
      remove.addEventListener("click", function () { card.remove(); updateCrowd(); });
    }
  }
  function addOccupant() {
    var tpl = document.getElementById("new-occupant-template");
    var card = tpl.content.firstElementChild.cloneNode(true);
    card.dataset.outcome = "new";
    document.getElementById("new-occupants").appendChild(card);
    wire(card);
    updateCrowd();
    card.querySelector("input[name=id_number]").focus();
  }
  function updateCrowd() {
    var living = cards().filter(function (c) { return c.dataset.outcome !== "moved_out"; }).length;
    var hint = form.querySelector("[data-testid=crowd-hint]");
    if (setup.max_occupants === null) { hint.textContent = ""; return; }
    hint.textContent = fill(L.crowd_hint, { n: living, m: setup.max_occupants });
    if (!crowdTouched) { crowd.checked = living <= setup.max_occupants; }
  }

  // --- photos ---------------------------------------------------------------------------------
  function shrink(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL("image/jpeg", QUALITY));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(file.name); };
      img.src = url;
    });
  }
  function renderThumbs() {
    var box = form.querySelector("[data-testid=thumbs]");
    box.textContent = "";
    photos.forEach(function (p, i) {
      var fig = el("figure"), img = el("img"), rm = el("button", L.remove, "link");
      img.src = p.data; img.alt = L.photos + " " + (i + 1); rm.type = "button";
      rm.addEventListener("click", function () { photos.splice(i, 1); renderThumbs(); });
      fig.appendChild(img); fig.appendChild(rm); box.appendChild(fig);
    });
  }
  function addPhotos(input) {
    var files = Array.prototype.slice.call(input.files);
    var error = form.querySelector("[data-testid=form-error]");
    show(error, "");
    if (photos.length + files.length > setup.max_photos) {
      show(error, fill(L.too_many_photos, { n: setup.max_photos }));
      files = files.slice(0, Math.max(0, setup.max_photos - photos.length));
    }
    Promise.all(files.map(function (f) {
      return shrink(f).then(function (data) { photos.push({ key: uuid(), data: data }); },
        function (name) { show(error, L.failed + name); });
    })).then(renderThumbs);
    input.value = "";
  }

  // --- the visit, its preview -----------------------------------------------------------------
  function collect() {
    var entries = [], order = [], unmarked = 0;
    cards().forEach(function (card) {
      var outcome = card.dataset.outcome;
      if (!outcome) { unmarked += 1; return; }
      var o = { outcome: outcome, name: "", id_number: "", phone: "" };
      var resident = card.dataset.resident || card.dataset.found;
      if (resident) { o.resident = Number(resident); }
      if (outcome === "differs" || outcome === "new") {
        ["name", "id_number", "phone"].forEach(function (f) {
          o[f] = card.querySelector("input[name=" + f + "]").value.trim();
        });
      } else {
        o.name = card.dataset.name;
      }
      entries.push(o); order.push(card);
    });
    var checklist = {};
    ["fire_exit", "not_overcrowded", "no_hazard"].forEach(function (f) {
      checklist[f] = form.querySelector("input[name=" + f + "]").checked;
    });
    checklist.hazard_notes = form.querySelector("[name=hazard_notes]").value.trim();
    return {
      unmarked: unmarked, order: order,
      body: { key: visitKey, dwelling: setup.dwelling, visited_at: new Date().toISOString(),
        origin: "page", occupants: entries, checklist: checklist,
        notes: form.querySelector("[name=notes]").value.trim(), photos: [] }
    };
  }
  function line(parent, label, value) {
    var row = el("p"); row.appendChild(el("span", label + "：", "muted")); row.appendChild(el("span", value));
    parent.appendChild(row);
  }
  function renderPreview(body) {
    var box = preview.querySelector(".preview-body");
    box.textContent = "";
    line(box, L.visited_at, new Date(body.visited_at).toLocaleString("zh-CN", { hour12: false }));
    box.appendChild(el("h3", L.occupants + "（" + body.occupants.length + "）"));
    var list = el("ul");
    body.occupants.forEach(function (o) {
      var text = o.name + " · " + L.outcomes[o.outcome];
      if (o.id_number) { text += " · " + L.id_number + " " + o.id_number; }
      if (o.phone) { text += " · " + L.phone + " " + o.phone; }
      list.appendChild(el("li", text, "outcome-" + o.outcome));
    });
    if (!body.occupants.length) { list.appendChild(el("li", L.none)); }
    box.appendChild(list);
    box.appendChild(el("h3", L.checklist));
    ["fire_exit", "not_overcrowded", "no_hazard"].forEach(function (f) {
      line(box, L[f], body.checklist[f] ? L.yes : L.no);
    });
    line(box, L.hazard_notes, body.checklist.hazard_notes || L.none);
    line(box, L.photos, photos.length ? fill(L.photo_count, { n: photos.length }) : L.none);
    line(box, L.notes, body.notes || L.none);
  }
  function openPreview() {
    var error = form.querySelector("[data-testid=form-error]");
    var made = collect();
    if (made.unmarked) { show(error, fill(L.unmarked, { n: made.unmarked })); return; }
    var bad = cards().filter(function (c) { return c.dataset.idInvalid; })[0];
    if (bad) { bad.scrollIntoView({ block: "center" }); return; }
    show(error, "");
    current = made;
    renderPreview(made.body);
    form.hidden = true; preview.hidden = false;
    show(preview.querySelector("[data-testid=save-error]"), "");
    window.scrollTo(0, 0);
  }
  function backToForm(message, field) {
    preview.hidden = true; form.hidden = false;
    var parts = (field || "").split("."), card = null;
    if (parts[0] === "occupants" && current) { card = current.order[Number(parts[1])]; }
    if (card) {
      show(card.querySelector(".field-error"), message);
      card.scrollIntoView({ block: "center" });
    } else {
      show(form.querySelector("[data-testid=form-error]"), message);
    }
  }

  // --- the queue on the phone -----------------------------------------------------------------
  function queue() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function store(q) {
    try { localStorage.setItem(KEY, JSON.stringify(q)); return true; } catch (e) { return false; }
  }
  function update(key, change) {
    var q = queue();
    q.forEach(function (entry) { if (entry.key === key) { Object.assign(entry, change); } });
    store(q); renderQueue();
  }
  function enqueue(entry) {
    var q = queue().filter(function (e) { return e.key !== entry.key; });
    q.push(entry);
    var text = JSON.stringify(q);
    return text.length <= CAP && store(q);
  }
  function dequeue(key) { store(queue().filter(function (e) { return e.key !== key; })); renderQueue(); }
  function renderQueue() {
    var q = queue(), list = queueBox.querySelector("ul");
    queueBox.hidden = !q.length;
    queueBox.querySelector("[data-testid=queue-count]").textContent = fill(L.queue_count, { n: q.length });
    list.textContent = "";
    q.forEach(function (entry) {
      var li = el("li", null, "state-" + entry.state);
      li.dataset.testid = "queued-visit";
      li.appendChild(el("span", entry.address + " · " +
        new Date(entry.body.visited_at).toLocaleTimeString("zh-CN", { hour12: false })));
      li.appendChild(el("strong", entry.state === "failed" ? L.failed + entry.error : L[entry.state]));
      if (entry.state === "failed") {
        var drop = el("button", L.discard, "link"); drop.type = "button";
        drop.addEventListener("click", function () { if (confirm(L.discard_confirm)) { dequeue(entry.key); } });
        li.appendChild(drop);
      }
      list.appendChild(li);
    });
  }
  function uploadPhotos(entry) {
    var chain = Promise.resolve();
    entry.photos.forEach(function (p) {
      chain = chain.then(function () {
        if (p.id) { return; }
        var data = new FormData(), bin = atob(p.data.split(",")[1]), bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i += 1) { bytes[i] = bin.charCodeAt(i); }
        data.append("key", p.key);
        data.append("file", new Blob([bytes], { type: "image/jpeg" }), "photo.jpg");
        return post(setup.photos_api, data).then(function (res) {
          p.id = res.data.id; p.data = null; // sent: the phone need not keep it
          update(entry.key, { photos: entry.photos });
        });
      });
    });
    return chain.then(function () { return entry.photos.map(function (p) { return p.id; }); });
  }
  function send(entry, isCurrent) {
    if (sending[entry.key]) { return; }
    sending[entry.key] = true;
    update(entry.key, { state: "sending" });
    uploadPhotos(entry).then(function (ids) {
      entry.body.photos = ids;
      return post(setup.visits_api, entry.body);
    }).then(function (res) {
      dequeue(entry.key);
      if (entry.key === visitKey) { finish(res.status === 201 ? L.saved : L.resent); }
    }).catch(function (e) {
      if (e && e.http) { // refused: the current form shows why; an older one waits for a decision
        var detail = (e.data && e.data.detail) || String(e.http);
        if (isCurrent) {
          dequeue(entry.key);
          backToForm(detail, e.data && e.data.errors && e.data.errors[0] && e.data.errors[0].field);
        } else {
          update(entry.key, { state: "failed", error: detail });
        }
        return;
      }
      entry.body.origin = "offline"; // sent later from the phone's store
      update(entry.key, { state: "waiting", body: entry.body });
      if (isCurrent) { finish(L.offline); }
    }).then(function () { delete sending[entry.key]; renderQueue(); });
  }
  function save() {
    var entry = { key: visitKey, dwelling: setup.dwelling, address: setup.address,
      body: current.body, state: "waiting", error: "",
      photos: photos.map(function (p) { return { key: p.key, data: p.data, id: null }; }) };
    if (!enqueue(entry) && !navigator.onLine) {
      var size = photos.reduce(function (n, p) { return n + p.data.length; }, 0) * 0.75 / 1e6;
      show(preview.querySelector("[data-testid=save-error]"), fill(L.too_big, { n: size.toFixed(1) }));
      return;
    }
    preview.querySelector("[data-testid=save]").disabled = true;
    send(entry, true);
  }
  function finish(message) {
    preview.hidden = true; form.hidden = true; done.hidden = false;
    done.querySelector(".done-text").textContent = message;
  }
  function flush() {
    if (!navigator.onLine) { return; }
    queue().forEach(function (entry) {
      if (entry.state !== "failed") { send(entry, false); }
    });
  }

  cards().forEach(wire);
  form.querySelector("[data-testid=add-occupant]").addEventListener("click", addOccupant);
  form.querySelector("[data-testid=photo-input]").addEventListener("change", function (e) { addPhotos(e.target); });
  form.querySelector("[data-testid=preview]").addEventListener("click", openPreview);
  crowd.addEventListener("change", function () { crowdTouched = true; });
  preview.querySelector("[data-testid=save]").addEventListener("click", save);
  preview.querySelector("[data-testid=edit]").addEventListener("click", function () {
    preview.hidden = true; form.hidden = false;
  });
  window.addEventListener("online", flush);
  updateCrowd();
  renderQueue();
  flush();
})();
