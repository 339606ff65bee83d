/// `app.js`: the API client (token from the URL's `#token=`), view switching, small DOM helpers.
enum AppJS {
    static let text = #"""
"use strict";
(function () {
const token = new URLSearchParams(location.hash.slice(1)).get("token");
async function api(path, body, method) {
  const opts = { method: method || (body === undefined ? "GET" : "POST"), headers: {} };
  if (token) opts.headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  const data = await r.json();
  if (!r.ok) {
    const e = data && data.error ? data.error : { message: r.statusText };
    const error = new Error((e.file ? e.file + (e.line ? ":" + e.line : "") + ": " : "") + e.message);
    error.kind = e.kind; error.file = e.file;
    throw error;
  }
  return data;
}
function authHeaders() { return token ? { "Authorization": "Bearer " + token } : {}; }
function eventsURL(path) { return token ? path + "?token=" + encodeURIComponent(token) : path; }
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "on") for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
    else if (k === "text") e.textContent = v;
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  return e;
}
function status(text, isError) {
  const s = document.getElementById("status");
  s.textContent = text || ""; s.classList.toggle("error", !!isError);
  if (isError) console.warn("roentgen: " + text);
}
async function guard(f) {
  try { return await f(); } catch (e) { status(e.message, true); return undefined; }
}
const views = {};
function show(name) {
  document.querySelectorAll("nav [role=tab]").forEach(b => {
    const on = b.dataset.view === name;
    b.setAttribute("aria-selected", on ? "true" : "false"); b.tabIndex = on ? 0 : -1;
  });
  document.querySelectorAll(".view").forEach(v => { v.hidden = v.id !== "view-" + name; });
  if (views[name] && views[name].shown) views[name].shown();
  window.dispatchEvent(new Event("resize"));
}
document.addEventListener("DOMContentLoaded", () => {
  const tabs = [...document.querySelectorAll("nav [role=tab]")];
  tabs.forEach((b, i) => {
    b.addEventListener("click", () => show(b.dataset.view));
    b.addEventListener("keydown", e => {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        const j = (i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length;
        tabs[j].focus(); show(tabs[j].dataset.view); e.preventDefault();
      }
    });
  });
  document.addEventListener("keydown", e => {
    if (e.altKey && e.key >= "1" && e.key <= String(tabs.length)) { show(tabs[Number(e.key) - 1].dataset.view); tabs[Number(e.key) - 1].focus(); e.preventDefault(); }
  });
});
window.roentgen = { api, authHeaders, eventsURL, el, status, guard, show, views };
})();
"""#
}
