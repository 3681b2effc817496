// The job page: live progress from server-sent events (when the job ends the page reloads,
// so the player, the download link and the right buttons appear), and the anaglyph and
// wiggle views of a stereo result.
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
    const pace = document.getElementById("job-pace");
    pace.textContent = job.pace_line || "";
    pace.hidden = !job.pace_line;
    const error = document.getElementById("job-error");
    error.textContent = job.error || "";
    error.hidden = !job.error;
    const rows = job.segments.map(segmentRow);
    document.getElementById("segments").replaceChildren(...rows);
    document.querySelector("table.segments").hidden = rows.length === 0;
    document.getElementById("segments-empty").hidden = rows.length !== 0;
    document.getElementById("segment-count").textContent = job.segment_count ? String(job.segment_count) : "";
  }

  // A stereo result seen without a headset: the player's frames drawn on a canvas, either
  // as a red-cyan anaglyph (left eye in red, right in green and blue) or wiggling between
  // the eyes a few times a second. Compositing does the colour work, so no pixel is read
  // back (a result served from another origin would forbid that).
  const WIGGLE_MS = 140;

  function eyes(layout, width, height) {
    const [packing, size] = layout.split("-");
    const eye = packing === "sbs" ? [width / 2, height] : [width, height / 2];
    const right = packing === "sbs" ? [width / 2, 0] : [0, height / 2];
    // A half format squeezed each eye to fit: shown at the frame's own size again.
    const shown = size === "half" ? [width, height] : eye;
    return { eye, left: [0, 0], right, shown };
  }

  function viewer() {
    const box = document.getElementById("viewer");
    const video = document.getElementById("player");
    if (!box || !video) return;
    const canvas = document.getElementById("viewer-canvas");
    const buttons = Array.from(box.querySelectorAll("button[data-mode]"));
    const tint = document.createElement("canvas");
    let mode = "plain";
    let frame = 0;

    function drawEye(ctx, geometry, which, colour) {
      const [x, y] = geometry[which];
      const [w, h] = geometry.eye;
      const [dw, dh] = [ctx.canvas.width, ctx.canvas.height];
      ctx.globalCompositeOperation = "source-over";
      ctx.drawImage(video, x, y, w, h, 0, 0, dw, dh);
      if (colour) {
        ctx.globalCompositeOperation = "multiply";  // keep only that colour's channels
        ctx.fillStyle = colour;
        ctx.fillRect(0, 0, dw, dh);
      }
    }

    function draw(now) {
      if (mode === "plain") return;
      if (video.videoWidth) {
        const geometry = eyes(box.dataset.layout, video.videoWidth, video.videoHeight);
        const [w, h] = geometry.shown.map(Math.round);
        if (canvas.width !== w || canvas.height !== h) {
          canvas.width = tint.width = w;
          canvas.height = tint.height = h;
        }
        const ctx = canvas.getContext("2d");
        if (mode === "wiggle") {
          drawEye(ctx, geometry, Math.floor(now / WIGGLE_MS) % 2 ? "right" : "left", null);
        } else {
          drawEye(ctx, geometry, "left", "#ff0000");
          const other = tint.getContext("2d");
          drawEye(other, geometry, "right", "#00ffff");
          ctx.globalCompositeOperation = "lighter";  // red + cyan: one picture per eye
          ctx.drawImage(tint, 0, 0);
          ctx.globalCompositeOperation = "source-over";
        }
        canvas.dataset.drawn = String(Number(canvas.dataset.drawn || 0) + 1);
      }
      frame = requestAnimationFrame(draw);
    }

    function choose(next) {
      mode = next;
      for (const button of buttons) {
        button.setAttribute("aria-pressed", String(button.dataset.mode === next));
      }
      canvas.hidden = next === "plain";
      video.hidden = next !== "plain";
      box.dataset.mode = next;
      cancelAnimationFrame(frame);
      if (next !== "plain") {
        video.muted = true;
        video.play().catch(() => { /* a paused video still shows its current frame */ });
        frame = requestAnimationFrame(draw);
      }
    }

    for (const button of buttons) {
      button.addEventListener("click", () => choose(button.dataset.mode));
    }
    box.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", viewer);

  // A source the browser cannot decode would stay a black box: say so instead.
  document.addEventListener("DOMContentLoaded", () => {
    const thumbnail = document.getElementById("thumbnail");
    const note = document.getElementById("thumbnail-note");
    if (!(thumbnail instanceof HTMLVideoElement) || !note) return;
    const unreadable = () => {
      thumbnail.hidden = true;
      note.hidden = false;
    };
    if (thumbnail.error) unreadable();
    else thumbnail.addEventListener("error", unreadable);
  });

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
