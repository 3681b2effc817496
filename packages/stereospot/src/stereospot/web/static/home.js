// The home page's job lists stay current without a reload: while a job is on its way, the
// lists are fetched again every few seconds, as the server renders them, and swapped in
// when they changed (the fragment carries a digest of what it lists). A hidden tab stops
// asking until it is shown again; a session that ended stops it for good.
"use strict";
(() => {
  const EVERY_MS = 3000;
  let timer = 0;
  let stopped = false;

  // Rows whose job a worker is still moving; one waiting for its upload is not.
  const active = () => document.querySelector("#job-lists [data-active]") !== null;
  const digest = (root) => root.querySelector("[data-digest]")?.dataset.digest ?? "";

  async function refresh() {
    const lists = document.getElementById("job-lists");
    if (!lists || stopped || document.visibilityState !== "visible") return;
    try {
      const response = await fetch(lists.dataset.refresh, { credentials: "same-origin" });
      if (response.redirected || response.status === 401 || response.status === 403) {
        stopped = true; // logged out: the next click says so
        return;
      }
      if (!response.ok) return;
      const fresh = document.createElement("div");
      fresh.innerHTML = await response.text();
      if (digest(fresh) === digest(lists)) return; // nothing changed: focus stays put
      const focused = document.activeElement?.getAttribute("href");
      lists.replaceChildren(...fresh.childNodes);
      if (window.stereospotLocalTimes) window.stereospotLocalTimes(lists);
      if (focused) lists.querySelector(`a[href="${CSS.escape(focused)}"]`)?.focus();
    } catch {
      // Offline for a moment: the next round tries again.
    }
  }

  function schedule() {
    clearTimeout(timer);
    // Keep watching while jobs run, and for one round after the last one finishes.
    timer = setTimeout(async () => {
      const wasActive = active();
      await refresh();
      if (!stopped && (wasActive || active())) schedule();
    }, EVERY_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (active()) schedule();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void refresh().then(() => active() && schedule());
  });
})();
