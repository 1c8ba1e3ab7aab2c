/* Cita: the little that JavaScript adds to pages that already work without it.
   - Offline drafts: what is typed into a form with data-draft="name" is kept on this phone
     (localStorage) as it is typed, put back after a reload, and sent with the same
     idempotency key when the connection returns, so the server applies it once. Vulnerability
     details ("needs") and the CSRF token are never kept. Drafts expire after 7 days and are
     cleared once sent and on sign-out (see docs/offline-drafts.md).
   - The service worker, and keeping the household page on this phone when asked.
   The words shown come from the page (data-* attributes), so they are translated. */
(function () {
  "use strict";
  var PREFIX = "cita-draft:";
  var KEPT_AT = "cita-kept-at";
  var LANG = "cita-offline-lang";
  var WEEK = 7 * 24 * 3600 * 1000;
  var MAX_TRIES = 3;
  var NEVER_KEPT = /(^|-)needs$/;
  var SKIPPED_TYPES = ["file", "password", "submit", "button", "reset", "image"];
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }

  function read(id) {
    var draft = null;
    try { draft = JSON.parse(store.getItem(id)); } catch (e) { draft = null; }
    if (!draft || typeof draft.saved !== "number" || Date.now() - draft.saved > WEEK) {
      remove(id);
      return null;
    }
    return draft;
  }
  function write(id, draft) {
    try { store.setItem(id, JSON.stringify(draft)); return true; } catch (e) { return false; }
  }
  function remove(id) {
    try { store.removeItem(id); } catch (e) { /* storage is off: nothing was kept */ }
  }
  function draftIds() {
    var ids = [];
    for (var i = 0; i < store.length; i++) {
      var id = store.key(i);
      if (id && id.indexOf(PREFIX) === 0) ids.push(id);
    }
    return ids;
  }
  function clearAll() {
    draftIds().forEach(remove);
    remove(KEPT_AT);
    if (window.caches) caches.delete("cita-kept");
  }

  function pathOf(url) { return new URL(url, location.href).pathname; }
  function draftId(form) { return PREFIX + form.getAttribute("data-draft") + ":" + pathOf(form.action); }
  function statusOf(form) { return (form && form.querySelector(".draft-status")) || document.querySelector(".draft-status"); }

  function show(element, text) {
    if (!element || !text) return;
    element.textContent = text;
    element.hidden = false;
    element.setAttribute("role", "status");
  }

  function kept(field) {
    var name = field.name;
    return name && !field.disabled && name !== "csrfmiddlewaretoken" && name !== "idempotency_key" &&
      !NEVER_KEPT.test(name) && SKIPPED_TYPES.indexOf(field.type) === -1 && !field.closest("[data-draft-skip]");
  }

  function collect(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) return;
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.selectedOptions, function (o) { fields.push([field.name, o.value]); });
        return;
      }
      fields.push([field.name, field.value]);
    });
    return fields;
  }

  function save(form, submitter) {
    var id = draftId(form);
    var before = read(id) || {};
    var key = form.elements.namedItem("idempotency_key");
    var status = statusOf(form);
    var draft = {
      v: 1,
      saved: Date.now(),
      key: before.key || (key ? key.value : ""),
      action: pathOf(form.action),
      fields: collect(form),
      submitter: submitter && submitter.name ? [submitter.name, submitter.value] : before.submitter || null,
      // Typing after pressing send keeps it due to be sent; the last answer typed is what goes.
      state: before.state === "held" || before.state === "submitted" ? before.state : "typing",
      tries: before.state === "submitted" ? before.tries || 0 : 0,
      sent: status ? status.getAttribute("data-sent") : before.sent
    };
    if (write(id, draft)) show(status, status && status.getAttribute("data-saved"));
    return draft;
  }

  /* A household form can have more people than the page shows after a reload: copy the last
     person's fields, renumbered, until every person in the draft has a place. */
  function addRow(form, prefix, index, label) {
    var rows = form.querySelectorAll("fieldset.member");
    var last = rows[rows.length - 1];
    if (!last) return;
    var copy = last.cloneNode(true);
    var pattern = new RegExp(prefix + "-\\d+-", "g");
    var numbered = prefix + "-" + index + "-";
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll("*"))).forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(pattern, numbered));
      });
    });
    copy.querySelectorAll(".error-message").forEach(function (el) { el.remove(); });
    copy.querySelectorAll(".field-error").forEach(function (el) { el.classList.remove("field-error"); });
    copy.querySelectorAll("input, select, textarea").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      if (field.type === "radio" || field.type === "checkbox") field.checked = false;
      else if (field.tagName === "SELECT") field.selectedIndex = 0;
      else field.value = "";
    });
    var legend = copy.querySelector(":scope > legend");
    if (legend && label) legend.textContent = label.replace("{n}", String(index + 1));
    last.parentNode.insertBefore(copy, last.nextSibling);
  }

  function apply(form, fields) {
    var values = {};
    fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    var total = form.querySelector("[name$='-TOTAL_FORMS']");
    if (total && values[total.name]) {
      var prefix = total.name.slice(0, -"-TOTAL_FORMS".length);
      var label = statusOf(form) && statusOf(form).getAttribute("data-person");
      for (var n = parseInt(total.value, 10) || 1; n < (parseInt(values[total.name][0], 10) || 0); n++) {
        addRow(form, prefix, n, label);
      }
    }
    Object.keys(values).forEach(function (name) {
      form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") field.checked = values[name].indexOf(field.value) !== -1;
        else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) { o.selected = values[name].indexOf(o.value) !== -1; });
        } else field.value = values[name][0];
      });
    });
  }

  function restore(form) {
    var id = draftId(form);
    var draft = read(id);
    if (!draft) return;
    var key = form.elements.namedItem("idempotency_key");
    if (draft.state === "submitted") draft.state = "typing"; // the server showed the form again
    write(id, draft);
    // The same key means the server drew this form from what was sent: it shows what was typed.
    if (!key || key.value !== draft.key) {
      apply(form, draft.fields);
      if (key && draft.key) key.value = draft.key;
    }
    show(statusOf(form), statusOf(form) && statusOf(form).getAttribute("data-saved"));
  }

  function csrfToken() {
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* Sends a held draft as an ordinary form post, so the server answers exactly as it does
     without JavaScript: a redirect when applied (once, by its key), the form with errors if not. */
  function send(id, draft) {
    draft.tries = (draft.tries || 0) + 1;
    draft.state = "submitted";
    write(id, draft);
    var form = document.querySelector("form[data-draft]");
    if (form && draftId(form) === id) {
      var button = draft.submitter && form.querySelector("[name='" + CSS.escape(draft.submitter[0]) + "']");
      HTMLFormElement.prototype.submit.call(withSubmitter(form, button));
      return;
    }
    form = document.createElement("form");
    form.method = "post";
    form.action = draft.action;
    form.hidden = true;
    var fields = draft.fields.concat([["csrfmiddlewaretoken", csrfToken()]]);
    if (draft.key) fields.push(["idempotency_key", draft.key]);
    if (draft.submitter) fields.push(draft.submitter);
    fields.forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    HTMLFormElement.prototype.submit.call(form);
  }

  /* form.submit() skips the submit button's name=value; add it as a hidden field instead. */
  function withSubmitter(form, button) {
    if (button && button.name && !form.querySelector("input[type=hidden][name='" + CSS.escape(button.name) + "']")) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = button.name;
      input.value = button.value;
      form.appendChild(input);
    }
    return form;
  }

  function sendHeld() {
    if (!navigator.onLine) return;
    var ids = draftIds();
    for (var i = 0; i < ids.length; i++) {
      var draft = read(ids[i]);
      if (draft && draft.state === "held" && (draft.tries || 0) < MAX_TRIES) {
        send(ids[i], draft);
        return; // one at a time: the page is leaving
      }
    }
  }

  /* After a post: a redirect to a page without the form means the server applied it. */
  function settleSubmitted() {
    var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    var redirected = nav && nav.redirectCount > 0 && location.pathname.indexOf("/signin") !== 0;
    draftIds().forEach(function (id) {
      var draft = read(id);
      if (!draft || draft.state !== "submitted") return;
      var form = document.querySelector("form[data-draft]");
      if (form && draftId(form) === id) return; // restore() handles the form shown again
      if (redirected) {
        remove(id);
        var note = document.createElement("p");
        note.className = "draft-status";
        var main = document.getElementById("main");
        if (main) main.insertBefore(note, main.firstChild);
        show(note, draft.sent);
      } else {
        // The connection dropped before an answer came: send it again (same key) when online.
        draft.state = "held";
        write(id, draft);
      }
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (pathOf(form.action || location.href) === "/signout") {
      clearAll();
      return;
    }
    if (!form.hasAttribute("data-draft") || !store) return;
    var submitter = event.submitter;
    var draft = save(form, submitter && submitter.name === "add_member" ? null : submitter);
    if (submitter && submitter.name === "add_member") return; // one more row, not a send
    var id = draftId(form);
    if (!navigator.onLine) {
      event.preventDefault();
      draft.state = "held";
    } else {
      draft.state = "submitted";
      draft.tries = (draft.tries || 0) + 1;
    }
    write(id, draft);
  }

  function keepPage() {
    var box = document.querySelector("[data-keep-offline]");
    if (!box || !window.caches || !navigator.serviceWorker) return;
    var keepButton = box.querySelector("[data-keep]");
    var forgetButton = box.querySelector("[data-forget]");
    var note = box.querySelector("[data-kept-note]");
    function refresh() {
      var at = store && parseInt(store.getItem(KEPT_AT), 10);
      keepButton.hidden = !!at;
      forgetButton.hidden = !at;
      if (at) show(note, note.getAttribute("data-kept-on").replace("{date}", new Date(at).toLocaleString(document.documentElement.lang)));
      else note.hidden = true;
    }
    function keep() {
      var at = Date.now();
      var copy = document.documentElement.cloneNode(true);
      copy.querySelectorAll(".notices").forEach(function (el) { el.remove(); });
      var html = "<!doctype html>\n" + copy.outerHTML;
      return caches.open("cita-kept").then(function (cache) {
        return cache.put(location.pathname, new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
      }).then(function () { store.setItem(KEPT_AT, String(at)); refresh(); });
    }
    keepButton.addEventListener("click", keep);
    forgetButton.addEventListener("click", function () {
      caches.delete("cita-kept").then(function () { remove(KEPT_AT); refresh(); });
    });
    box.hidden = false;
    // Seen again online: the kept copy is brought up to date.
    if (store && store.getItem(KEPT_AT) && navigator.onLine && !document.querySelector("[data-offline-page]")) keep();
    else refresh();
  }

  function serviceWorker() {
    var script = document.currentScript;
    var url = script && script.getAttribute("data-sw");
    if (!url || !navigator.serviceWorker) return;
    var lang = document.documentElement.lang;
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(url, { scope: "/" }).then(function () {
        if (!store || store.getItem(LANG) === lang) return;
        if (navigator.serviceWorker.controller && navigator.onLine) navigator.serviceWorker.controller.postMessage("refresh-offline");
        store.setItem(LANG, lang);
      }, function () { /* no worker: pages still work online */ });
    });
  }

  serviceWorker();
  if (!store) return;
  draftIds().forEach(read); // drops drafts older than 7 days
  settleSubmitted();
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    restore(form);
    var timer = null;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(function () { save(form); }, 300);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });
  document.addEventListener("submit", onSubmit);
  window.addEventListener("online", sendHeld);
  document.querySelectorAll("[data-kept-link]").forEach(function (el) { el.hidden = !store.getItem(KEPT_AT); });
  if (document.querySelector("[data-offline-page]") && draftIds().some(function (id) { return read(id); })) {
    show(statusOf(null), statusOf(null).getAttribute("data-saved"));
  }
  keepPage();
  sendHeld();
})();
