// Live progress on the job page, from server-sent events. When the job ends the page
// reloads, so the player, the download link and the right buttons appear.
"use strict";

(function () {
  function badge(text, prefix) {
    const span = document.createElement("span");
    span.className = `badge ${prefix}${text}`;
    span.textContent = text;
    return span;
  }

  function segmentRow(segment) {
    const row = document.createElement("tr");
    row.dataset.state = segment.status;
    const cells = [document.createElement("td"), document.createElement("td"),
      document.createElement("td"), document.createElement("td")];
    cells[0].textContent = String(segment.index + 1);
    cells[1].append(badge(segment.status, "seg-"));
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = segment.status === "done" ? 100 : segment.progress;
    cells[2].append(bar);
    cells[3].className = "small";
    cells[3].textContent = segment.error || "";
    row.append(...cells);
    return row;
  }

  function show(root, job) {
    root.dataset.version = String(job.version);
    root.dataset.status = job.status;
    const status = document.getElementById("job-status");
    status.textContent = job.status;
    status.className = `badge status-${job.status}`;
    document.getElementById("job-progress").value = job.progress;
    document.getElementById("job-percent").textContent = `${job.progress}%`;
    const error = document.getElementById("job-error");
    error.textContent = job.error || "";
    error.hidden = !job.error;
    const rows = job.segments.map(segmentRow);
    document.getElementById("segments").replaceChildren(...rows);
    document.querySelector("table.segments").hidden = rows.length === 0;
    document.getElementById("segments-empty").hidden = rows.length !== 0;
    document.getElementById("segment-count").textContent = job.segment_count ? String(job.segment_count) : "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("job");
    if (!root || root.dataset.finished === "true") return;
    const url = `/api/jobs/${root.dataset.jobId}/events?after=${root.dataset.version}`;
    const source = new EventSource(url);
    source.addEventListener("progress", (event) => show(root, JSON.parse(event.data)));
    source.addEventListener("end", () => {
      source.close();
      window.location.reload();
    });
  });
}());
