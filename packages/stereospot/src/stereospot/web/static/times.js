// Dates and times in the reader's own time zone and way of writing them: the server sends
// UTC (it cannot know the zone), each in a <time datetime> element marked data-local.
"use strict";
(() => {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const localise = (root) => {
    for (const node of root.querySelectorAll("time[data-local]")) {
      const moment = new Date(node.getAttribute("datetime"));
      if (Number.isNaN(moment.getTime())) continue;
      node.textContent = format.format(moment);
      node.title = node.getAttribute("datetime");
      node.removeAttribute("data-local");
    }
  };
  window.stereospotLocalTimes = localise; // for lists the page replaces later
  document.addEventListener("DOMContentLoaded", () => localise(document));
})();
