// Resumable chunked upload. The file goes up in parts with fetch; the server (or, on the
// aws backend, S3 through presigned part URLs) keeps each part, so an interrupted upload
// resumes by asking which parts are already there and sending only the others.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  async function api(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    if (!response.ok) throw new Error(await reason(response));
    return response.status === 204 ? null : response.json();
  }

  async function reason(response) {
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") return body.detail;
    } catch (_) { /* not JSON */ }
    return `the server answered ${response.status}`;
  }

  const storageKey = (jobId) => `stereospot-upload:${jobId}`;

  function remembered(jobId, file) {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey(jobId)) || "null");
      if (saved && saved.name === file.name && saved.size === file.size &&
          saved.modified === file.lastModified) return saved.session;
    } catch (_) { /* storage unavailable or corrupt: start afresh */ }
    return null;
  }

  async function begin(jobId, file) {
    const session = await api("POST", `/api/jobs/${jobId}/uploads`);
    try {
      localStorage.setItem(storageKey(jobId), JSON.stringify(
        { session, name: file.name, size: file.size, modified: file.lastModified }));
    } catch (_) { /* private mode: the upload still works, it just cannot resume */ }
    return session;
  }

  async function storedParts(jobId, session) {
    const url = `/api/jobs/${jobId}/uploads/${encodeURIComponent(session.upload_id)}/parts`;
    return (await api("GET", url)).parts;
  }

  // onProgress(sentBytes, totalBytes, partsDone, partsTotal)
  async function upload(jobId, file, onProgress) {
    if (file.size === 0) throw new Error("the file is empty");
    let session = remembered(jobId, file);
    let have = [];
    if (session) {
      try { have = await storedParts(jobId, session); } catch (_) { session = null; }
    }
    if (!session) session = await begin(jobId, file);
    const base = `/api/jobs/${jobId}/uploads/${encodeURIComponent(session.upload_id)}`;
    const size = session.part_size;
    const total = Math.ceil(file.size / size);
    const done = new Map();
    for (const part of have) {
      const expected = Math.min(size, file.size - (part.number - 1) * size);
      if (part.number <= total && part.size === expected) done.set(part.number, part);
    }
    let sent = 0;
    done.forEach((part) => { sent += part.size; });
    onProgress(sent, file.size, done.size, total);
    for (let number = 1; number <= total; number += 1) {
      if (done.has(number)) continue;
      const blob = file.slice((number - 1) * size, Math.min(number * size, file.size));
      let part;
      if (session.direct) {
        // The URL is signed for exactly this many bytes.
        const { url } = await api("GET", `${base}/parts/${number}/url?size=${blob.size}`);
        const response = await fetch(url, { method: "PUT", body: blob });
        if (!response.ok) throw new Error(`part ${number} was refused (${response.status})`);
        part = { number, size: blob.size };
      } else {
        const response = await fetch(`${base}/parts/${number}`, {
          method: "PUT", body: blob, credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf, "Content-Type": "application/octet-stream" },
        });
        if (!response.ok) throw new Error(await reason(response));
        part = await response.json();
      }
      done.set(number, part);
      sent += blob.size;
      onProgress(sent, file.size, done.size, total);
    }
    // Direct (S3) uploads let the server list the stored parts: reading a presigned PUT's
    // ETag would need the bucket's CORS rule to expose it.
    const parts = session.direct ? undefined : [...done.values()]
      .sort((a, b) => a.number - b.number)
      .map((p) => ({ number: p.number, etag: p.etag, size: p.size }));
    const job = await api("POST", `${base}/complete`, parts ? { parts } : {});
    try { localStorage.removeItem(storageKey(jobId)); } catch (_) { /* ignore */ }
    return job;
  }

  // fetch rejects with a TypeError when the network fails: say so in words.
  function why(error) {
    return error instanceof TypeError ? "the connection was lost" : error.message;
  }

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1); }

  function reporter(bar, status) {
    return (sent, totalBytes, partsDone, partsTotal) => {
      bar.hidden = false;
      bar.value = Math.floor((100 * sent) / totalBytes);
      bar.dataset.parts = String(partsDone);
      status.textContent = `Uploaded ${megabytes(sent)} of ${megabytes(totalBytes)} MB ` +
        `(part ${partsDone} of ${partsTotal})`;
    };
  }

  // Under a strength and a convergence: the parallax they allow at most (nearest content
  // in front, farthest behind), against the comfort limits, with a warning past them.
  function comfortHint(strength, convergence, hint) {
    if (!strength || !convergence || !hint) return;
    const front = Number(hint.dataset.front);
    const behind = Number(hint.dataset.behind);
    function update() {
      const d = Number(strength.value);
      const c = Math.min(1, Math.max(0, Number(convergence.value)));
      const inFront = (1 - c) * d;
      const inBehind = c * d;
      const most = Math.min(c < 1 ? front / (1 - c) : Infinity, c > 0 ? behind / c : Infinity);
      const past = inFront > front + 1e-9 || inBehind > behind + 1e-9;
      hint.textContent = `Parallax up to ${inFront.toFixed(1)} % of the width in front of the `
        + `screen and ${inBehind.toFixed(1)} % behind it (comfortable: ${front} % and ${behind} %).`
        + (past ? ` Past the comfort limits: above strength ${most.toFixed(1)} at this `
          + "convergence many people get eye strain." : "");
      hint.classList.toggle("alert", past);
    }
    strength.addEventListener("input", update);
    convergence.addEventListener("input", update);
    update();
  }

  // "1:05", "1:02:03" or "65" as seconds; "" as null.
  function parseClock(text) {
    const parts = text.trim() ? text.trim().split(":") : [];
    if (!parts.length) return null;
    // After a colon: minutes or seconds of the part before, so under 60.
    if (parts.length > 3 || parts.some((p, i) => p === "" || !(Number(p) >= 0)
        || !Number.isFinite(Number(p)) || (i > 0 && Number(p) >= 60))) {
      throw new Error(`"${text}" is not a time like 1:05`);
    }
    return parts.reduce((seconds, part) => seconds * 60 + Number(part), 0);
  }

  // The home page: create the job, then upload its file.
  function newJobForm() {
    const form = document.getElementById("new-job");
    if (!form) return;
    const box = document.getElementById("upload-box");
    const bar = document.getElementById("upload-progress");
    const status = document.getElementById("upload-status");
    const resume = document.getElementById("resume-upload");
    const button = document.getElementById("start-upload");
    const strength = document.getElementById("divergence");
    const shown = document.getElementById("divergence-value");
    strength.addEventListener("input", () => { shown.textContent = Number(strength.value).toFixed(1); });
    const convergence = document.getElementById("convergence");
    comfortHint(strength, convergence, document.getElementById("comfort-hint"));
    const trial = document.getElementById("trial");
    const trialStart = document.getElementById("trial-start");
    // Several files go one after another, each its own job with the same settings; `done`
    // counts the files finished, so a resume carries on from the one that stopped.
    let jobId = null;
    let done = 0;

    async function run(files) {
      button.disabled = true;
      resume.hidden = true;
      box.hidden = false;
      status.classList.remove("alert");
      const [depth, model] = form.elements.depth.value.split(":");
      try {
        const from = trial.checked ? parseClock(trialStart.value) ?? 0 : null;
        for (; done < files.length; done += 1, jobId = null) {
          const file = files[done];
          const which = files.length > 1 ? `File ${done + 1} of ${files.length}, ${file.name}: ` : "";
          if (!jobId) {
            status.textContent = `${which}creating the job…`;
            const job = await api("POST", "/api/jobs", {
              filename: file.name,
              format: form.elements.format.value,
              divergence: Number(strength.value),
              convergence: Number(convergence.value),
              depth,
              model: model || null,
              trial_start: from,
            });
            jobId = job.job_id;
          }
          const report = reporter(bar, status);
          await upload(jobId, file, (...args) => {
            report(...args);
            status.textContent = which + status.textContent;
          });
          if (files.length === 1) {
            status.textContent = "Upload complete. Opening the job…";
            window.location.assign(`/jobs/${jobId}`);
            return;
          }
        }
        status.textContent = `All ${files.length} files uploaded. Opening your jobs…`;
        window.location.assign("/");
      } catch (error) {
        // Resuming is offered, and mentioned, only once a job holds part of the file: a file
        // refused before that (its type, its size) has nothing to resume.
        const resumable = jobId === null ? "" : " Resume sends only the missing parts.";
        status.textContent = `Upload stopped: ${why(error)}.${resumable}`;
        status.classList.add("alert");
        resume.hidden = jobId === null;
        button.disabled = jobId !== null;  // a job exists: resume it rather than make another
      }
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const files = Array.from(form.elements.file.files);
      if (files.length) run(files);
    });
    resume.addEventListener("click", () => {
      const files = Array.from(form.elements.file.files);
      if (files.length) run(files);
    });
    // Disabled in the page until now: a click before this script ran would submit the
    // form as a plain GET, which uploads nothing.
    button.disabled = false;
  }

  // A job page whose upload did not finish: choose the file again to resume.
  function resumeForm() {
    const form = document.getElementById("resume-form");
    const root = document.getElementById("job");
    if (!form || !root) return;
    const bar = document.getElementById("upload-progress");
    const status = document.getElementById("upload-status");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = document.getElementById("resume-file").files[0];
      if (!file) return;
      status.classList.remove("alert");
      try {
        await upload(root.dataset.jobId, file, reporter(bar, status));
        window.location.reload();
      } catch (error) {
        status.textContent = `Upload stopped: ${why(error)}. Resume sends only the missing parts.`;
        status.classList.add("alert");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    newJobForm();
    resumeForm();
    comfortHint(document.getElementById("rerun-divergence"),
      document.getElementById("rerun-convergence"), document.getElementById("rerun-comfort-hint"));
  });
}());
