/* Cita service worker: the app shell and static files from the phone, pages from the network.
   Pages with personal data are never stored here, except the household page when the
   applicant pressed "Keep this page on this phone" (cita.js puts it in the "kept" cache),
   and then for a week at most.
   Forms are never sent from here: cita.js sends offline drafts when the connection returns,
   so nothing depends on Background Sync, which Safari and Firefox lack. */
"use strict";
var CONFIG = self.CITA_CONFIG;
var SHELL = "cita-shell-" + CONFIG.version;
var KEPT = "cita-kept";
var WEEK = 6048e5;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) { return cache.addAll(CONFIG.shell); }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("cita-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  // The applicant changed language: keep the offline page in the new one.
  if (event.data === "refresh-offline") {
    event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.add(CONFIG.offline); }));
  }
});

// A kept page older than a week is gone, even if no Cita page was opened since to forget it.
function fresh(page) {
  var at = page && parseInt(page.headers.get("X-Cita-Kept-At"), 10);
  if (at && Date.now() - at <= WEEK) return page;
  if (page) caches.delete(KEPT);
  return null;
}

function offlinePage(url) {
  var path = new URL(url).pathname;
  var kept = CONFIG.kept.indexOf(path) !== -1 ? caches.open(KEPT).then(function (c) { return c.match(path); }) : Promise.resolve();
  return kept.then(function (page) {
    return fresh(page) || caches.match(CONFIG.offline);
  }).then(function (page) {
    return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return offlinePage(request.url); }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 && /\.[0-9a-f]{12}\.[a-z0-9]+$/.test(url.pathname)) {
    // Hashed names never change content: the phone's copy is always right.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  }
});
