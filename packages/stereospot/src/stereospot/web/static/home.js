// The home page's job lists stay current without a reload: while something is in progress
// (or just finished), the lists are fetched again every few seconds, as the server renders
// them, and swapped in. A hidden tab stops asking until it is shown again.
"use strict";
(() => {
  const EVERY_MS = 3000;
  let timer = 0;

  const active = () => document.querySelector("#in-progress li") !== null;

  async function refresh() {
    const lists = document.getElementById("job-lists");
    if (!lists || document.visibilityState !== "visible") return;
    try {
      const response = await fetch(lists.dataset.refresh, { credentials: "same-origin" });
      if (!response.ok || response.redirected) return; // logged out: the next click says so
      const html = await response.text();
      // Only when something changed: a focused link keeps its focus otherwise.
      if (html.trim() !== lists.dataset.shown) {
        lists.innerHTML = html;
        lists.dataset.shown = html.trim();
        if (window.stereospotLocalTimes) window.stereospotLocalTimes(lists);
      }
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
      if (wasActive || active()) schedule();
    }, EVERY_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (active()) schedule();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void refresh().then(() => active() && schedule());
  });
  // A new upload from this page adds a job: start watching.
  document.addEventListener("stereospot:job-created", () => schedule());
})();
