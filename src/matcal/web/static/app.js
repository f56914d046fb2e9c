// matcal's page: the inputs, the URL that holds them, one POST to /api/derive per pause in
// typing, and the answer shown. No framework, no network beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const KINDS = ["scalar", "vector", "matrix", "square", "symmetric"];
let types = {};          // name → kind, the user's choices
let code = {};           // target → module text
let target = "numpy";
let timer = null;
let sent = 0;

function readUrl() {
  const q = new URLSearchParams(location.search);
  $("expr").value = q.get("expr") || "tr(A*X*B*X*C')";
  $("wrt").value = q.get("wrt") || "";
  $("kind").value = q.get("order") || "1";
  $("method").value = q.get("method") || "differential";
  types = {};
  for (const part of (q.get("types") || "").split(",")) {
    const [name, kind] = part.split(":");
    if (name && KINDS.includes(kind)) types[name] = kind;
  }
}

function writeUrl() {
  const q = new URLSearchParams();
  q.set("expr", $("expr").value);
  if ($("wrt").value) q.set("wrt", $("wrt").value);
  if ($("kind").value !== "1") q.set("order", $("kind").value);
  if ($("method").value !== "differential") q.set("method", $("method").value);
  const t = Object.entries(types).map(([n, k]) => n + ":" + k).join(",");
  if (t) q.set("types", t);
  history.replaceState(null, "", "?" + q.toString());
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(derive, 250);
}

async function derive() {
  writeUrl();
  const request = {expression: $("expr").value, wrt: $("wrt").value.trim(),
                   order: Number($("kind").value), method: $("method").value, types: types};
  const mine = ++sent;
  let answer;
  try {
    const response = await fetch("/api/derive", {method: "POST", body: JSON.stringify(request),
                                                  headers: {"Content-Type": "application/json"}});
    answer = await response.json();
  } catch (err) {
    answer = {error: {message: "the server did not answer: is matcal serve running?"}};
  }
  if (mine !== sent) return;  // a newer request is on its way
  show(answer);
}

function math(target, mathml, latex) {
  target.replaceChildren();
  if (mathml) {
    const doc = new DOMParser().parseFromString(mathml, "application/xml");
    target.appendChild(document.importNode(doc.documentElement, true));
  } else {
    target.textContent = latex;
  }
}

function show(answer) {
  document.body.dataset.state = answer.error ? "error" : "ok";
  if (answer.error) {
    $("error").hidden = false;
    $("output").hidden = true;
    $("error-caret").textContent = answer.error.caret || "";
    $("error-message").textContent = answer.error.message;
    return;
  }
  $("error").hidden = true;
  $("output").hidden = false;
  math($("result-math"), answer.mathml, answer.latex);
  $("result-text").textContent = answer.derivative;
  $("check").textContent = answer.check === null ? "numerical check: not finite here"
    : `numerical check: relative error ${answer.check.toExponential(1)} (${answer.check_method})`;
  if (!$("wrt").value) $("wrt").placeholder = answer.wrt;
  showVariables(answer);
  showSteps(answer);
  code = answer.code || {};
  $("code-error").hidden = !answer.code_error;
  $("code-error").textContent = answer.code_error || "";
  showCode();
}

function showVariables(answer) {
  const list = $("variables");
  list.replaceChildren(...answer.variables.map((n) => new Option(n, n)));
  const body = $("shapes").querySelector("tbody");
  body.replaceChildren();
  const kinds = $("kinds");
  kinds.replaceChildren();
  for (const [name, info] of Object.entries(answer.shapes)) {
    const row = body.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = info.kind;
    row.insertCell().textContent = info.shape.length ? info.shape.join("×") : "1";
    if (!KINDS.includes(info.kind)) continue;
    const label = document.createElement("label");
    label.textContent = name + " ";
    const select = document.createElement("select");
    select.dataset.name = name;
    for (const k of KINDS) select.add(new Option(k, k, false, k === info.kind));
    select.addEventListener("change", () => { types[name] = select.value; schedule(); });
    label.appendChild(select);
    kinds.appendChild(label);
  }
}

function showSteps(answer) {
  const box = $("steps");
  box.replaceChildren();
  $("steps-error").hidden = !answer.steps_error;
  $("steps-error").textContent = answer.steps_error || "";
  for (const record of answer.steps || []) {
    const details = document.createElement("details");
    details.open = true;
    const summary = document.createElement("summary");
    summary.textContent = `${record.kind}, ${record.method} — ${record.summary}`;
    details.appendChild(summary);
    const list = document.createElement("ol");
    for (const line of record.lines) {
      const item = document.createElement("li");
      const m = document.createElement("div");
      math(m, line.mathml, line.latex);
      item.appendChild(m);
      if (line.rule) {
        const why = document.createElement("div");
        const rule = document.createElement("span");
        rule.className = "rule";
        rule.textContent = line.rule;
        const check = document.createElement("span");
        check.className = line.verified === false ? "failed" : "ok";
        check.textContent = ` (${line.check})`;
        why.append(rule, ": " + line.justification, check);
        item.appendChild(why);
      }
      list.appendChild(item);
    }
    details.appendChild(list);
    box.appendChild(details);
  }
}

function showCode() {
  for (const b of $("code-tabs").querySelectorAll("button[data-target]")) {
    b.classList.toggle("active", b.dataset.target === target);
  }
  $("code").textContent = code[target] || "";
}

function copy(text, button) {
  navigator.clipboard.writeText(text).then(() => {
    button.textContent = "copied";
    setTimeout(() => { button.textContent = "copy"; }, 1200);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  readUrl();
  for (const id of ["expr", "wrt"]) $(id).addEventListener("input", schedule);
  for (const id of ["kind", "method"]) $(id).addEventListener("change", schedule);
  $("expr").addEventListener("input", () => { types = {}; });
  for (const b of $("code-tabs").querySelectorAll("button[data-target]")) {
    b.addEventListener("click", () => { target = b.dataset.target; showCode(); });
  }
  $("copy-text").addEventListener("click", () => copy($("result-text").textContent,
                                                      $("copy-text")));
  $("copy-code").addEventListener("click", () => copy($("code").textContent, $("copy-code")));
  derive();
});
