/* Cita: what JavaScript adds to pages that work without it. Why and how: docs/offline-drafts.md.
   Drafts: forms with data-draft are kept in localStorage as typed (never "needs" fields or the
   CSRF token), restored after a reload, sent with the same idempotency key when back online,
   cleared once sent, at sign-out and after 7 days. A "needs" answer that was typed is named in the
   draft (never its text), so the page can ask for it again. Words come from data-* attributes (translated). */
(() => {
  "use strict";
  const PREFIX = "cita-draft:", KEPT_AT = "cita-kept-at", KEPT_FOR = "cita-kept-for", LANG = "cita-offline-lang";
  const ACCOUNT = "cita-account", SIGNIN = "cita-signin";
  const WEEK = 6048e5, MAX_TRIES = 3, NEVER_KEPT = /(^|-)needs$/;
  const SKIPPED = ["file", "password", "submit", "button", "reset", "image"];
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const script = document.currentScript, root = document.documentElement;
  // "This is not my phone": drafts live only in this tab, for the idle time; nothing is kept.
  const SHARED = root.hasAttribute("data-shared-device");
  const LIFE = SHARED ? (parseInt(root.getAttribute("data-shared-device"), 10) || 15) * 6e4 : WEEK;
  let store = null, phone = null;
  try { phone = window.localStorage; store = SHARED ? window.sessionStorage : phone; } catch (e) { /* storage off: nothing is kept */ }

  const remove = (id) => { try { store.removeItem(id); } catch (e) { /* nothing to remove */ } };
  const write = (id, draft) => { try { store.setItem(id, JSON.stringify(draft)); return true; } catch (e) { return false; } };
  function read(id) {
    let draft = null;
    try { draft = JSON.parse(store.getItem(id)); } catch (e) { /* unreadable: dropped below */ }
    if (draft && typeof draft.saved === "number" && Date.now() - draft.saved <= LIFE) return draft;
    remove(id);
    return null;
  }
  const draftIds = () => Object.keys(store).filter((id) => id.indexOf(PREFIX) === 0);
  function forgetKept() {
    try { phone.removeItem(KEPT_AT); phone.removeItem(KEPT_FOR); } catch (e) { /* nothing kept */ }
    if (window.caches) return caches.delete("cita-kept");
    return Promise.resolve();
  }
  function clearDrafts(names) {
    for (const name of names) {
      try {
        const s = window[name];
        Object.keys(s).filter((id) => id.indexOf(PREFIX) === 0).forEach((id) => s.removeItem(id));
      } catch (e) { /* storage off: nothing to clear */ }
    }
  }
  let signedOut = false; // a save still waiting on its timer must not write the draft back after sign-out
  function clearAll() {
    clearDrafts(["localStorage", "sessionStorage"]);
    return forgetKept();
  }

  // Nothing of one person stays for the next: another account on this phone finds no drafts and
  // no kept page; any new sign-in drops the kept page (saved again only when "Keep" is pressed);
  // a kept page older than a week goes.
  function forgetOthers() {
    const account = root.getAttribute("data-account"), signin = root.getAttribute("data-signin");
    let kept = 0;
    try { kept = parseInt(phone.getItem(KEPT_AT), 10) || 0; } catch (e) { return; }
    const before = phone.getItem(ACCOUNT);
    if (account && before !== null && before !== account) clearAll();
    else if ((signin && phone.getItem(SIGNIN) !== signin) || (kept && Date.now() - kept > WEEK)) forgetKept();
    if (account) { phone.setItem(ACCOUNT, account); phone.setItem(SIGNIN, signin || ""); }
    if (!SHARED) clearDrafts(["sessionStorage"]); // a shared-phone session is over: its drafts go too
  }

  const pathOf = (url) => new URL(url, location.href).pathname;
  const idOf = (form) => PREFIX + form.getAttribute("data-draft") + ":" + pathOf(form.action);
  const statusOf = (form) => (form && $(".draft-status", form)) || $(".draft-status");
  function show(element, text) {
    if (!element || !text) return;
    element.textContent = text;
    element.hidden = false;
    element.setAttribute("role", "status");
  }
  const say = (form, word) => { const s = statusOf(form); if (s) show(s, s.getAttribute("data-" + word)); };

  const kept = (f) => f.name && !f.disabled && f.name !== "csrfmiddlewaretoken" && f.name !== "idempotency_key" &&
    !NEVER_KEPT.test(f.name) && SKIPPED.indexOf(f.type) === -1 && !f.closest("[data-draft-skip]");
  function collect(form) {
    const fields = [];
    for (const f of Array.from(form.elements)) {
      if (!kept(f) || ((f.type === "radio" || f.type === "checkbox") && !f.checked)) continue;
      if (f.multiple) Array.from(f.selectedOptions).forEach((o) => fields.push([f.name, o.value]));
      else fields.push([f.name, f.value]);
    }
    return fields;
  }

  const filled = (f) => f && typeof f.value === "string" && f.value.trim() !== "";
  // Names of the never-kept fields that were typed in: the answer must be asked for again.
  const typedNeeds = (form) => Array.from(form.elements).filter((f) => f.name && NEVER_KEPT.test(f.name) && filled(f)).map((f) => f.name);
  // Of those, the ones a send from this form (or from the draft alone, with no form) leaves out.
  const leftOut = (form, draft) => (draft.retype || []).filter((name) => !(form && filled(form.elements.namedItem(name))));

  function save(form, submitter) {
    if (signedOut) return {};
    const id = idOf(form), before = read(id) || {}, key = form.elements.namedItem("idempotency_key");
    const pending = before.state === "held" || before.state === "submitted";
    const status = statusOf(form);
    const retype = typedNeeds(form);
    const draft = {
      saved: Date.now(),
      key: before.key || (key ? key.value : ""),
      action: pathOf(form.action),
      fields: collect(form),
      submitter: submitter && submitter.name ? [submitter.name, submitter.value] : before.submitter || null,
      state: pending ? before.state : "typing", // typed after pressing send: still to be sent
      tries: pending ? before.tries || 0 : 0,
      sent: status ? status.getAttribute("data-sent") : before.sent,
      retype: retype.concat((before.retype || []).filter((name) => retype.indexOf(name) === -1)),
      retypeSaid: (status && status.getAttribute("data-retype")) || before.retypeSaid || "",
    };
    if (write(id, draft)) say(form, "saved");
    return draft;
  }

  // After a reload the household form shows one person: copy the last one, renumbered, per person.
  function addRow(form, prefix, index) {
    const last = $$("fieldset.member", form).pop();
    if (!last) return;
    const copy = last.cloneNode(true), pattern = new RegExp(prefix + "-\\d+-", "g");
    for (const el of [copy].concat($$("*", copy))) {
      for (const attr of ["id", "name", "for", "aria-describedby"]) {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(pattern, prefix + "-" + index + "-"));
      }
    }
    $$(".error-message", copy).forEach((el) => el.remove());
    $$(".field-error", copy).forEach((el) => el.classList.remove("field-error"));
    for (const el of $$("[aria-describedby]", copy)) {  // the copied errors are gone: so are their ids
      const ids = el.getAttribute("aria-describedby").split(" ").filter((id) => !id.endsWith("_error"));
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    }
    for (const f of $$("input, select, textarea", copy)) {
      f.removeAttribute("aria-invalid");
      if (f.type === "radio" || f.type === "checkbox") f.checked = false;
      else if (f.tagName === "SELECT") f.selectedIndex = 0;
      else f.value = "";
    }
    const legend = $(":scope > legend", copy), label = statusOf(form).getAttribute("data-person");
    if (legend && label) legend.textContent = label.replace("{n}", String(index + 1));
    last.after(copy);
  }

  function apply(form, fields) {
    const values = {};
    fields.forEach(([name, value]) => (values[name] = values[name] || []).push(value));
    const total = $("[name$='-TOTAL_FORMS']", form);
    if (total && values[total.name]) {
      const prefix = total.name.slice(0, -"-TOTAL_FORMS".length);
      for (let n = parseInt(total.value, 10) || 1; n < (parseInt(values[total.name][0], 10) || 0); n++) addRow(form, prefix, n);
    }
    for (const name of Object.keys(values)) {
      for (const f of $$("[name='" + CSS.escape(name) + "']", form)) {
        if (f.type === "radio" || f.type === "checkbox") f.checked = values[name].indexOf(f.value) !== -1;
        else if (f.multiple) Array.from(f.options).forEach((o) => (o.selected = values[name].indexOf(o.value) !== -1));
        else f.value = values[name][0];
      }
    }
  }

  function restore(form) {
    const id = idOf(form), draft = read(id), key = form.elements.namedItem("idempotency_key");
    if (!draft) return;
    if (draft.state === "submitted") draft.state = "typing"; // the server showed the form again
    write(id, draft);
    // The same key: the server drew this form from what was sent, so it already shows it.
    if (!key || key.value !== draft.key) {
      apply(form, draft.fields);
      if (key && draft.key) key.value = draft.key;
    }
    say(form, "saved");
    askAgain(form, draft);
  }

  // Beside each needs answer that was typed but not kept: "type this again".
  function askAgain(form, draft) {
    const status = statusOf(form), words = status && status.getAttribute("data-retype-field");
    for (const name of leftOut(form, draft)) {
      const field = form.elements.namedItem(name);
      if (!field || !words || field.previousElementSibling && field.previousElementSibling.hasAttribute("data-retype-hint")) continue;
      const hint = Object.assign(document.createElement("p"), { className: "hint", textContent: words });
      hint.setAttribute("data-retype-hint", "");
      field.before(hint);
    }
  }

  const hidden = (name, value) => Object.assign(document.createElement("input"), { type: "hidden", name, value });

  // A held draft goes as an ordinary form post, so the server answers as it does without
  // JavaScript: a redirect when applied (once, by its key), the form with its errors if not.
  function send(id, draft) {
    draft.tries = (draft.tries || 0) + 1;
    draft.state = "submitted";
    let form = $("form[data-draft]");
    draft.lost = leftOut(form && idOf(form) === id ? form : null, draft);
    write(id, draft);
    if (!form || idOf(form) !== id) {
      form = Object.assign(document.createElement("form"), { method: "post", action: draft.action, hidden: true });
      draft.fields.concat([["csrfmiddlewaretoken", ($("[name=csrfmiddlewaretoken]") || {}).value || ""],
        ["idempotency_key", draft.key]]).forEach(([name, value]) => form.appendChild(hidden(name, value)));
      document.body.appendChild(form);
    }
    if (draft.submitter) form.appendChild(hidden(draft.submitter[0], draft.submitter[1]));
    HTMLFormElement.prototype.submit.call(form);
  }

  function sendHeld() {
    if (!navigator.onLine) return;
    for (const id of draftIds()) {
      const draft = read(id);
      if (draft && draft.state === "held" && (draft.tries || 0) < MAX_TRIES) return send(id, draft); // one: the page leaves
    }
  }

  // After a post: redirected to a page without the form (not sign-in) means the server applied it.
  function settle() {
    const nav = performance.getEntriesByType("navigation")[0];
    const applied = nav && nav.redirectCount > 0 && location.pathname.indexOf("/signin") !== 0;
    const form = $("form[data-draft]");
    for (const id of draftIds()) {
      const draft = read(id);
      if (!draft || draft.state !== "submitted" || (form && idOf(form) === id)) continue;
      if (applied) {
        remove(id);
        if (draft.lost && draft.lost.length && draft.retypeSaid) {
          const ask = Object.assign(document.createElement("p"), { className: "draft-status notice" });
          $("#main").prepend(ask);
          show(ask, draft.retypeSaid);
        }
        const note = Object.assign(document.createElement("p"), { className: "draft-status" });
        $("#main").prepend(note);
        show(note, draft.sent);
      } else {
        draft.state = "held"; // no answer came: send again, same key, when online
        write(id, draft);
      }
    }
  }

  function onSubmit(event) {
    const form = event.target, submitter = event.submitter;
    if (pathOf(form.action || location.href) === "/signout") { signedOut = true; return clearAll(); }
    if (!form.hasAttribute("data-draft")) return;
    if (submitter && submitter.name === "add_member") return save(form); // one more row, not a send
    const draft = save(form, submitter);
    draft.lost = leftOut(form, draft);
    if (navigator.onLine) {
      draft.state = "submitted";
      draft.tries = (draft.tries || 0) + 1;
    } else {
      event.preventDefault();
      draft.state = "held";
    }
    write(idOf(form), draft);
  }

  function keepPage() {
    const box = $("[data-keep-offline]");
    if (!box || !window.caches || !navigator.serviceWorker || SHARED) return;
    const keepButton = $("[data-keep]", box), forgetButton = $("[data-forget]", box), note = $("[data-kept-note]", box);
    function refresh() {
      const at = parseInt(store.getItem(KEPT_AT), 10);
      keepButton.hidden = !!at;
      forgetButton.hidden = !at;
      note.hidden = true;
      if (at) show(note, note.getAttribute("data-kept-on").replace("{date}", new Date(at).toLocaleString(document.documentElement.lang)));
    }
    function keep() {
      const copy = document.documentElement.cloneNode(true);
      copy.setAttribute("data-kept-copy", ""); // so the copy, shown when the network fails, never re-keeps itself
      $$(".notices", copy).forEach((el) => el.remove());
      const now = String(Date.now());
      const page = new Response("<!doctype html>\n" + copy.outerHTML,
        { headers: { "Content-Type": "text/html; charset=utf-8", "X-Cita-Kept-At": now } });
      return caches.open("cita-kept").then((cache) => cache.put(location.pathname, page)).then(() => {
        store.setItem(KEPT_AT, now);
        store.setItem(KEPT_FOR, root.getAttribute("data-account") || "");
        refresh();
      });
    }
    keepButton.addEventListener("click", keep);
    forgetButton.addEventListener("click", () => forgetKept().then(refresh));
    box.hidden = false;
    // Seen again online by the person who kept it: the kept copy is brought up to date. The kept copy
    // itself (served by the worker when the network failed, even with navigator.onLine true) keeps its date.
    const mine = store.getItem(KEPT_FOR) === (root.getAttribute("data-account") || "");
    if (store.getItem(KEPT_AT) && mine && navigator.onLine && !root.hasAttribute("data-kept-copy")) keep();
    else refresh();
  }

  function serviceWorker() {
    const url = script && script.getAttribute("data-sw"), lang = document.documentElement.lang;
    if (!url || !navigator.serviceWorker) return;
    window.addEventListener("load", () => navigator.serviceWorker.register(url, { scope: "/" }).then(() => {
      if (!store || store.getItem(LANG) === lang) return;
      // A new language: the worker keeps the offline page in it from now on.
      const worker = navigator.serviceWorker.controller;
      if (worker && navigator.onLine) worker.postMessage("refresh-offline");
      store.setItem(LANG, lang);
    }, () => { /* no worker: pages still work online */ }));
  }

  serviceWorker();
  if (!store) return;
  forgetOthers();
  draftIds().forEach(read); // drops drafts older than their life (7 days, or the idle time when shared)
  settle();
  for (const form of $$("form[data-draft]")) {
    restore(form);
    let timer = null;
    const later = () => { clearTimeout(timer); timer = setTimeout(() => save(form), 300); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }
  document.addEventListener("submit", onSubmit);
  window.addEventListener("online", sendHeld);
  $$("[data-kept-link]").forEach((el) => (el.hidden = !store.getItem(KEPT_AT)));
  if ($("[data-offline-page]") && draftIds().some(read)) say(null, "saved");
  keepPage();
  sendHeld();
})();
